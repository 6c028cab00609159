#!/usr/bin/env python3
"""Write the `subnetsim epoch` inputs of tests/golden/epoch/ by replaying
subtensor's epoch tests (pallets/subtensor/src/tests/epoch.rs) through the CLI:
each epoch's input is the previous one's state with that output's permits and
bonds, plus the weight changes the chain test makes. Run from the repository
root with a built binary:

    python3 tests/golden/epoch/make_fixtures.py build/subnetsim

A developer tool (the tests only read the files it writes). The values the
chain's tests assert are checked by tests/golden/test_yuma_cli.c, not here.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = sys.argv[1] if len(sys.argv) > 1 else "build/subnetsim"
M = 65535

# subtensor's test mock (tests/mock.rs): Yuma 3 and liquid alpha off, 100
# validator slots; tempo and the rest per test.
MOCK = {"kappa": 32767, "bonds_moving_average": 900000, "bonds_penalty": 65535,
        "yuma3": False, "liquid_alpha": False, "alpha_low": 45875, "alpha_high": 58982,
        "alpha_sigmoid_steepness": 1000, "activity_cutoff": 5000,
        "max_allowed_validators": 100, "tempo": 360}


def max_upscale(vals):
    """math.rs vec_u16_max_upscale_to_u16, as set_weights stores weights."""
    mx = max(vals)
    out = []
    for e in vals:
        if mx == 0:
            out.append(0)
            continue
        if mx > 32768:
            bits = e * ((M << 32) // mx)
        else:
            bits = ((e * M) << 32) // mx
        out.append(min(M, (bits + (1 << 31)) >> 32))
    return out


class Chain:
    def __init__(self, name, n, stake, reg, hyper, block):
        self.name, self.n, self.block, self.k = name, n, block, 0
        self.hyper = dict(MOCK, **hyper)
        self.neurons = [{"uid": i, "stake_rao": stake[i], "validator_permit": False,
                         "last_update": 0, "registered_at": reg[i], "weights": {},
                         "bonds": {}} for i in range(n)]

    def set_weights(self, uid, cols, vals):
        up = max_upscale(vals)
        self.neurons[uid]["weights"] = {str(c): v for c, v in zip(cols, up)}
        self.neurons[uid]["last_update"] = self.block

    def epoch(self, tag=None):
        doc = {"block": self.block, "emission_rao": 1000000000, "last_epoch_block": 0,
               "hyperparameters": self.hyper, "neurons": self.neurons}
        path = os.path.join(HERE, "%s_%02d%s.json" % (self.name, self.k,
                                                      "_" + tag if tag else ""))
        with open(path, "w") as f:
            f.write("// %s epoch %d at block %d, written by make_fixtures.py\n"
                    % (self.name, self.k, self.block))
            json.dump(doc, f, indent=1)
            f.write("\n")
        out = json.loads(subprocess.run([BIN, "epoch", path], check=True,
                                        capture_output=True, text=True).stdout)
        for nd, o in zip(self.neurons, out["neurons"]):
            nd["validator_permit"] = o["validator_permit"]
            nd["bonds"] = o["bonds"]
        self.k += 1
        return out


def bonds_legacy():
    """tests::epoch::test_bonds"""
    c = Chain("bonds", 8, [1, 2, 3, 4, 0, 0, 0, 0], [1] * 8,
              {"tempo": 1, "max_allowed_validators": 8}, 1)
    c.epoch("permits")
    c.block += 1
    for uid in range(4):
        c.set_weights(uid, [4, 5, 6, 7], [M // 4, M // 2, (M // 4) * 3, M])
    c.epoch()
    for uid in range(3):
        c.set_weights(uid, [uid], [M])
        c.block += 1
        c.epoch()
    c.set_weights(2, [7], [M])
    for _ in range(3):
        c.block += 1
        c.epoch()


def active_stake():
    """tests::epoch::test_active_stake"""
    c = Chain("active", 4, [1] * 4, [0] * 4, {"tempo": 1, "max_allowed_validators": 4}, 0)
    c.epoch("permits")
    c.block = 1
    for uid in range(2):
        c.set_weights(uid, [2, 3], [M // 2, M // 2])
    c.epoch()
    c.block = 5002
    c.set_weights(0, [2, 3], [M // 2, M // 2])
    c.epoch()
    c.set_weights(1, [2, 3], [M // 2, M // 2])
    c.block = 5003
    c.epoch()


def graph10():
    """tests::epoch::test_10_graph (SPEC.md §1.4 check 1)"""
    c = Chain("graph10", 10, [1] * 10, [0] * 10, {"tempo": 65534}, 1)
    for uid in range(10):
        c.set_weights(uid, [uid], [M])
    c.epoch()


def kappa_moves_first():
    """tests::epoch::test_yuma_3_kappa_moves_first (SPEC.md §1.4 check 3)"""
    c = Chain("kappa_first", 5, [8, 1, 1, 0, 0], [1] * 5,
              {"tempo": 1, "bonds_penalty": 0, "bonds_moving_average": 975000,
               "kappa": 32767, "liquid_alpha": True, "alpha_low": 6553,
               "alpha_high": 19660, "yuma3": True, "max_allowed_validators": 3}, 1)
    c.block += 1
    c.epoch("permits")
    plan = [[[M, 0]] * 3, [[0, M], [M, 0], [M, 0]], [[0, M], [0, M], [M, 0]], [[0, M]] * 3]
    for e in range(6):
        if e < len(plan):
            for v in range(3):
                c.set_weights(v, [3, 4], plan[e][v])
        c.block += 1
        c.epoch()


if __name__ == "__main__":
    bonds_legacy()
    active_stake()
    graph10()
    kappa_moves_first()
