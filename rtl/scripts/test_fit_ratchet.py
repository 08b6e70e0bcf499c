"""Tests of the fit ratchet (fit.py check) and of the lane extrapolation: each case must fail or
pass as docs/fit.md says. Run by `make -C rtl fit-check` before the real check."""

import contextlib
import io
import json
import os
import sys
import tempfile
import types
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fit  # noqa: E402


class Ratchet(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.base_fit = {
            "clock_ns": 3.8462, "budget_fraction": 0.75, "units": {"a": {}, "b": {}},
            "total": {"complete": True},
            "violations": {"a.lut": {"value": 10, "limit": 5}, "b.worst_path_ns": {"value": 7.0, "limit": 3.846}},
        }
        self.base = os.path.join(self.dir.name, "base.json")
        f0 = os.path.join(self.dir.name, "f0.json")
        with open(f0, "w") as f:
            json.dump(self.base_fit, f)
        with contextlib.redirect_stderr(io.StringIO()):
            self.assertEqual(fit.cmd_baseline(types.SimpleNamespace(fit=f0, out=self.base)), 0)

    def tearDown(self):
        self.dir.cleanup()

    def check(self, violations, units=("a", "b"), complete=True, **over):
        f = dict(self.base_fit, violations=violations, units={u: {} for u in units}, total={"complete": complete})
        f.update(over)
        path = os.path.join(self.dir.name, "f1.json")
        with open(path, "w") as fh:
            json.dump(f, fh)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = fit.cmd_check(types.SimpleNamespace(fit=path, baseline=self.base))
        return rc, out.getvalue()

    def test_same_passes_and_prints_known(self):
        rc, out = self.check(self.base_fit["violations"])
        self.assertEqual(rc, 0)
        self.assertEqual(out.count("NOT BOARD-TRUE  "), 2)

    def test_new_fails(self):
        rc, out = self.check({**self.base_fit["violations"], "c.ff": {"value": 1, "limit": 0}})
        self.assertEqual(rc, 1)
        self.assertIn("NEW violation c.ff", out)

    def test_worse_fails(self):
        rc, out = self.check({**self.base_fit["violations"], "a.lut": {"value": 11, "limit": 5}})
        self.assertEqual(rc, 1)
        self.assertIn("WORSE", out)

    def test_better_fails_until_recorded(self):
        rc, out = self.check({**self.base_fit["violations"], "a.lut": {"value": 9, "limit": 5}})
        self.assertEqual(rc, 1)
        self.assertIn("BETTER", out)

    def test_gone_fails(self):
        rc, out = self.check({"a.lut": {"value": 10, "limit": 5}})
        self.assertEqual(rc, 1)
        self.assertIn("GONE", out)

    def test_unmeasured_unit_fails(self):
        rc, out = self.check({"a.lut": {"value": 10, "limit": 5}}, units=("a",))
        self.assertEqual(rc, 1)
        self.assertIn("not measured: b", out)

    def test_other_clock_fails(self):
        rc, out = self.check(self.base_fit["violations"], clock_ns=5.0)
        self.assertEqual(rc, 1)
        self.assertIn("clock/budget", out)


class Violations(unittest.TestCase):
    def test_budget_and_clock(self):
        dev = {"lut": 100, "ff": 100, "dsp": 10, "bram36": 10, "uram": 10, "lutram_bits": 1000}
        unit = {"lut": 76, "ff": 75, "dsp": 0, "bram36": 0, "uram": 0, "lutram_bits": 0, "worst_path_ns": 3.9}
        fitd = {"device": dev, "budget_fraction": 0.75, "clock_ns": 3.85, "units": {"u": unit},
                "total": dict(unit, worst_path_ns=3.9)}
        v = fit.violations(fitd)
        self.assertIn("u.lut", v)  # 76 > 75
        self.assertNotIn("u.ff", v)  # 75 is within 75%
        self.assertIn("u.worst_path_ns", v)
        self.assertIn("total.lut", v)
        self.assertNotIn("total.worst_path_ns", v)  # the clock is checked per unit


class Lanes(unittest.TestCase):
    def test_extrapolation(self):
        j1 = fit.Job("m", {"Lanes": 1}, (), True)
        j2 = fit.Job("m", {"Lanes": 2}, (), True)
        timing = {"paths": [], "worst_path_ns": 1.0, "worst_partial_ns": None, "comb_loops": 0}
        res = {
            j1.key: {"resources": {"lut": 110, "ff": 20, "dsp": 2}, "memories": [], "timing": timing},
            j2.key: {"resources": {"lut": 210, "ff": 30, "dsp": 4}, "memories": [], "timing": timing},
        }
        plan = {"method": "lanes", "orig": "m", "params": {"Lanes": 32}, "lanes": 32, "lanes_param": "Lanes",
                "jobs": [j1, j2], "children": []}
        c = fit.compose(plan, res, "m")
        self.assertEqual(c["cost"]["lut"], 110 + 31 * 100)
        self.assertEqual(c["cost"]["ff"], 20 + 31 * 10)
        self.assertEqual(c["cost"]["dsp"], 64)


if __name__ == "__main__":
    unittest.main()
