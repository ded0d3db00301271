import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDuration, jobState } from "../src/job/job_state.js";

describe("a map job's progress", () => {
  const progress = { total: 1000, done: 400, failed: 12, running: 8, queued: 580, stopped: 0, refusals: 3,
    elapsed: 120, rate: 3.43, eta: 171.5, input_tokens: 120340, output_tokens: 40210, cost: 0.8421,
    projected_cost: 2.0439, max_cost: null, in_flight_limit: 8, state: "running" };

  it("shows counts, a bar, rates, tokens and money so far and projected", () => {
    const s = jobState({ progress, latest: [], errorGroups: [], stopSent: false });
    assert.equal(s.stateLabel, "Running");
    assert.equal(s.countsLabel, "412 / 1,000 · 12 failed · 8 in flight · 580 queued");
    assert.equal(s.statsLabel, "3.4 items/s · 2:52 left · 120,340 in · 40,210 out · $0.8421 (~$2.04 in all) · 3 rate-limited, retried");
    assert.deepEqual(s.bar, { done: 40, failed: 1.2, running: 0.8 });
    assert.deepEqual(s.stop, { hidden: false, disabled: false, label: "Stop" });
  });

  it("says when max_cost stopped it, and hides Stop once the job has ended", () => {
    const s = jobState({ progress: { ...progress, running: 0, queued: 0, stopped: 588, state: "max_cost", max_cost: 1 },
      latest: null, errorGroups: null, stopSent: false });
    assert.equal(s.stateLabel, "Stopped at max_cost");
    assert.match(s.notice ?? "", /would have passed max_cost \(\$1\.00\)/);
    assert.match(s.countsLabel, /588 not run/);
    assert.match(s.statsLabel, /2:00 in all/);
    assert.doesNotMatch(s.statsLabel, /in all\)/);  // no projection once ended
    assert.equal(s.stop.hidden, true);
  });

  it("shows the newest rows first, and a Stop that waits for the kernel", () => {
    const latest = [{ index: 0, input: "a", answer: "x", status: "done" }, { index: 1, input: "b", answer: "y", status: "failed" }];
    const s = jobState({ progress, latest, errorGroups: [{ kind: "schema", count: 2, example: "no" }], stopSent: true });
    assert.deepEqual(s.rows.map((r) => r.index), [1, 0]);
    assert.deepEqual(s.stop, { hidden: false, disabled: true, label: "Stopping…" });
    assert.equal(s.errors[0].count, 2);
    assert.equal(jobState({ progress: null, latest: null, errorGroups: null, stopSent: false }).countsLabel, "0 / 0");
  });

  it("names the batches of a batch job, so that their ids can be copied", () => {
    const s = jobState({ progress: { ...progress, batch_ids: ["msgbatch_1", "msgbatch_2"], batch_status: "in_progress" },
      latest: [], errorGroups: [], stopSent: false });
    assert.equal(s.batch, "Message Batches API (half price) · in_progress · msgbatch_1, msgbatch_2");
    assert.equal(jobState({ progress, latest: [], errorGroups: [], stopSent: false }).batch, null);
  });

  it("formats durations", () => {
    assert.equal(formatDuration(0), "0:00");
    assert.equal(formatDuration(102), "1:42");
    assert.equal(formatDuration(7390), "2:03:10");
  });
});
