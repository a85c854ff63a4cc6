#!/usr/bin/python3
"""Golden beam-search results, made by a plain-Python re-implementation of Hugging Face's scorer.

transformers is not installed here, so this file restates, line for line in plain Python, the
beam search of transformers' generation/beam_search.py (BeamSearchScorer.process / finalize and
BeamHypotheses.add / is_done, as at commit 4e7bd11: the version with `generated_len` and
`decoder_prompt_len`) and the loop of GenerationMixin._beam_search that drives it, for one prompt:
  - beam scores start at [0, -1e9, ...] so the first step expands one beam;
  - each step takes the top 2*num_beams (beam, token) pairs of beam score + log-softmax;
  - an end-of-text pair of rank < num_beams is added as a hypothesis scored
    sum_logprobs / generated_len ** length_penalty (generated_len counts the eos);
  - the search ends when is_done (early_stopping True / False / "never") or at max_length;
    finalize then adds the live beams unless done, and returns the best num_return_sequences.
`length_penalty_formula: "gnmt"` swaps generated_len ** lp for ((5 + len) / 6) ** lp, as ours.

The "model" is a fixed table: the next-token logits depend on the last two tokens. Logits are
rounded to float32 so the TypeScript side (which reads them as a Float32Array) sees the same
numbers. The seed is the first one for which the cases below show what the tests check: HF's
and GNMT's ranking pick different best outputs, and true / false / "never" stop after different
numbers of steps.
Writes test/fixtures/beam-search-golden.json.  Run from the repo root:
  python3 scripts/make-beam-fixture.py
"""
import json
import math
import random
import struct

V = 8
EOS = 0
PROMPT = [3, 5]


def f32(x):
    return struct.unpack('f', struct.pack('f', x))[0]


def make_table(seed):
    rng = random.Random(seed)
    # Row a*V+b: logits of the token after ... a, b. End-of-text gets a bias so hypotheses end.
    return [[f32(rng.gauss(0, 1.5) + (0.8 if t == EOS else 0.0)) for t in range(V)] for _ in range(V * V)]


def log_softmax(row):
    m = max(row)
    lse = m + math.log(sum(math.exp(x - m) for x in row))
    return [x - lse for x in row]


def penalty(length, lp, formula):
    return ((5 + length) / 6) ** lp if formula == 'gnmt' else length ** lp


class BeamHypotheses:
    def __init__(self, num_beams, length_penalty, early_stopping, max_length, formula):
        self.length_penalty = length_penalty
        self.early_stopping = early_stopping
        self.max_length = max_length
        self.num_beams = num_beams
        self.formula = formula
        self.beams = []
        self.worst_score = 1e9

    def __len__(self):
        return len(self.beams)

    def add(self, hyp, sum_logprobs, generated_len, finished):
        score = sum_logprobs / penalty(generated_len, self.length_penalty, self.formula)
        if len(self) < self.num_beams or score > self.worst_score:
            self.beams.append((score, hyp, sum_logprobs, finished))
            if len(self) > self.num_beams:
                sorted_next_scores = sorted([(s, idx) for idx, (s, _, _, _) in enumerate(self.beams)])
                del self.beams[sorted_next_scores[0][1]]
                self.worst_score = sorted_next_scores[1][0]
            else:
                self.worst_score = min(score, self.worst_score)

    def is_done(self, best_sum_logprobs, cur_len, decoder_prompt_len):
        if len(self) < self.num_beams:
            return False
        if self.early_stopping is True:
            return True
        if self.early_stopping is False:
            pen = penalty(cur_len - decoder_prompt_len, self.length_penalty, self.formula)
            return self.worst_score >= best_sum_logprobs / pen
        if self.length_penalty > 0.0:
            pen = penalty(self.max_length - decoder_prompt_len, self.length_penalty, self.formula)
        else:
            pen = penalty(cur_len - decoder_prompt_len, self.length_penalty, self.formula)
        return self.worst_score >= best_sum_logprobs / pen


def beam_search(table, num_beams, max_new_tokens, length_penalty, early_stopping, num_return, formula):
    prompt_len = len(PROMPT)
    max_length = prompt_len + max_new_tokens
    hyps = BeamHypotheses(num_beams, length_penalty, early_stopping, max_length, formula)
    input_ids = [list(PROMPT) for _ in range(num_beams)]
    beam_scores = [0.0] + [-1e9] * (num_beams - 1)
    done = False
    steps = 0
    while True:
        steps += 1  # one forward pass of the model over every beam
        flat = []
        for b, row in enumerate(input_ids):
            lp = log_softmax(table[row[-2] * V + row[-1]])
            flat.extend((beam_scores[b] + lp[t], b, t) for t in range(V))
        top = sorted(flat, key=lambda x: -x[0])[: 2 * num_beams]
        # BeamSearchScorer.process
        cur_len = len(input_ids[0]) + 1
        next_beams = []
        for rank, (score, b, t) in enumerate(top):
            if t == EOS:
                if rank >= num_beams:
                    continue
                hyps.add(list(input_ids[b]), score, cur_len - prompt_len, True)
            else:
                next_beams.append((score, b, t))
            if len(next_beams) == num_beams:
                break
        assert len(next_beams) == num_beams
        done = done or hyps.is_done(max(s for s, _, _ in top), cur_len, prompt_len)
        beam_scores = [s for s, _, _ in next_beams]
        input_ids = [input_ids[b] + [t] for _, b, t in next_beams]
        if done or len(input_ids[0]) >= max_length:
            break
    # BeamSearchScorer.finalize
    if not done:
        for b in range(num_beams):
            hyps.add(input_ids[b], beam_scores[b], len(input_ids[b]) - prompt_len, False)
    sorted_hyps = sorted(hyps.beams, key=lambda x: x[0])
    best = [sorted_hyps.pop() for _ in range(num_return)]
    out = [{'ids': h[1][prompt_len:], 'logprob': h[2], 'score': h[0], 'finished': h[3]} for h in best]
    return out, steps


def run(table, o):
    return beam_search(table, o['beams'], o['maxNewTokens'], o['lengthPenalty'], o['earlyStopping'],
                       o['numReturnSequences'], o.get('lengthPenaltyFormula', 'hf'))


BASE = {'beams': 3, 'maxNewTokens': 8, 'numReturnSequences': 3}
CASES = [
    dict(BASE, lengthPenalty=1.0, earlyStopping=False),
    dict(BASE, lengthPenalty=1.0, earlyStopping=False, lengthPenaltyFormula='gnmt'),
    dict(BASE, lengthPenalty=1.0, earlyStopping=True),
    dict(BASE, lengthPenalty=1.0, earlyStopping='never'),
    dict(BASE, lengthPenalty=0.0, earlyStopping=False),
    dict(BASE, lengthPenalty=2.0, earlyStopping='never'),
    dict(BASE, lengthPenalty=-0.5, earlyStopping='never'),
    dict(BASE, lengthPenalty=0.6, earlyStopping=True, lengthPenaltyFormula='gnmt'),
    {'beams': 2, 'maxNewTokens': 6, 'numReturnSequences': 1, 'lengthPenalty': 1.0, 'earlyStopping': False},
]


def shows_everything(table):
    r = [run(table, o) for o in CASES]
    hf, gnmt, true_, never = r[0], r[1], r[2], r[3]
    differ_rank = hf[0][0]['ids'] != gnmt[0][0]['ids']
    steps = {true_[1], hf[1], never[1]}
    return differ_rank and len(steps) == 3, r


def main():
    for seed in range(1000):
        table = make_table(seed)
        ok, results = shows_everything(table)
        if ok:
            break
    else:
        raise SystemExit('no seed shows every case')
    cases = [{'options': o, 'expected': out, 'steps': steps} for o, (out, steps) in zip(CASES, results)]
    fixture = {'seed': seed, 'vocabSize': V, 'eosId': EOS, 'prompt': PROMPT, 'logits': table, 'cases': cases}
    with open('test/fixtures/beam-search-golden.json', 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
        f.write('\n')
    for c in cases:
        print(c['options'], 'steps', c['steps'], [(h['ids'], round(h['score'], 4)) for h in c['expected']])


main()
