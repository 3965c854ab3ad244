#!/usr/bin/env python3
"""llama.cpp anchor for `evercast bench writer`.

Runs llama.cpp (through llama-cpp-python, built from source by bench/setup-anchor.sh) on a GGUF
with the same prompts (bench/prompts.json) and the same method as script::llm::bench, and prints
one JSON object:

  prefill_tok_s   short prompt, empty cache: prompt tokens / time to the first token
  decode_tok_s    greedy, EOS ignored: (tokens - 1) / time from the first token to the last
  warm_ttft_ms    chat prompt whose system+catalog prefix is cached by a previous question
  *_runs          every run's figure (the headline figure is the median)

Usage: .tools/llamacpp/bin/python bench/llamacpp_bench.py MODEL.gguf [--threads 2] [--prompts FILE]
"""

import argparse
import json
import os
import statistics
import sys
import time


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompts", default=os.path.join(here, "prompts.json"))
    ap.add_argument("--runs", type=int, default=None)
    args = ap.parse_args()

    with open(args.prompts, encoding="utf-8") as f:
        prompts = json.load(f)
    runs = args.runs or int(prompts.get("runs", 3))
    n_decode = int(prompts["decode_tokens"])

    # Quiet import and load: llama.cpp logs to stderr.
    import llama_cpp
    from llama_cpp import Llama

    t_load = time.perf_counter()
    llm = Llama(
        model_path=args.model,
        n_ctx=2048,
        n_batch=512,
        n_threads=args.threads,
        n_threads_batch=args.threads,
        seed=0,
        verbose=False,
    )
    load_s = time.perf_counter() - t_load

    def tokens(text: str):
        return llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def generate(toks, n, reset_cache):
        """Greedy tokens after `toks`; returns (seconds to first token, seconds first->last, count)."""
        if reset_cache:
            llm.reset()
        start = time.perf_counter()
        first = last = None
        count = 0
        for _tok in llm.generate(toks, top_k=1, top_p=1.0, temp=0.0, repeat_penalty=1.0, reset=True):
            now = time.perf_counter()
            if first is None:
                first = now
            last = now
            count += 1
            if count >= n:
                break
        return first - start, last - first, count

    short = tokens(prompts["short_prompt"])
    warm = tokens(prompts["warm_prompt"])
    chat = tokens(prompts["chat_prompt"])
    common = 0
    for a, b in zip(warm, chat):
        if a != b:
            break
        common += 1

    # One untimed pass so page faults and first-call costs are paid on both sides alike.
    generate(short, 4, True)

    prefill, decode, ttft = [], [], []
    for _ in range(runs):
        t_first, t_rest, count = generate(short, n_decode, True)
        prefill.append(len(short) / t_first)
        decode.append((count - 1) / t_rest if t_rest > 0 else 0.0)
    for _ in range(runs):
        generate(warm, 1, True)  # caches system + catalog (+ the first question)
        t_first, _, _ = generate(chat, 1, False)
        ttft.append(t_first * 1000.0)

    out = {
        "engine": "llama.cpp",
        "version": getattr(llama_cpp, "__version__", "?"),
        "model": os.path.basename(args.model),
        "threads": args.threads,
        "load_s": round(load_s, 3),
        "prefill_tokens": len(short),
        "prefill_tok_s": statistics.median(prefill),
        "prefill_tok_s_runs": prefill,
        "decode_tokens": n_decode,
        "decode_tok_s": statistics.median(decode),
        "decode_tok_s_runs": decode,
        "chat_prompt_tokens": len(chat),
        "chat_reused_tokens": common,
        "warm_ttft_ms": statistics.median(ttft),
        "warm_ttft_ms_runs": ttft,
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
