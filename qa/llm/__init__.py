"""The generator: model files, the llama.cpp server and its slots, prompts, warm-up."""
