"""The local LLM: a verified GGUF model in qa's data dir, served by llama.cpp on 127.0.0.1.

``models`` knows the model files qa can run (size, sha256, the wheels they come in) and finds,
assembles and verifies them; ``server`` starts ``python -m llama_cpp.server`` as a child
process that dies with qa. Nothing here downloads anything: ``scripts/setup-local-llm.sh``
installs the runtime and the model.
"""
