import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDuration, jobState } from "../src/job/job_state.js";

describe("a map job's progress", () => {
  const progress = { total: 1000, done: 400, failed: 12, running: 8, queued: 580, stopped: 0, refusals: 3,
    elapsed: 120, rate: 3.43, eta: 171.5, input_tokens: 120340, output_tokens: 40210, cost: 0.8421,
    projected_cost: 2.0439, max_cost: null, in_flight_limit: 8, state: "running", resumable: false };

  it("says what each figure is: finished of all, elapsed time, time left, spent and about how much for all", () => {
    const s = jobState({ progress, rows: [], errorGroups: [], stopSent: false });
    assert.equal(s.stateLabel, "Running");
    assert.equal(s.countsLabel, "412 of 1,000 finished · 12 failed · 8 in flight · 580 queued");
    assert.equal(s.statsLabel, "3.4 items/s · elapsed 2 min 00 s · about 2 min 52 s left · 120,340 tokens in · "
      + "40,210 out · spent $0.8421 · about $2.04 for all 1,000 · 3 rate-limited, retried");
    assert.doesNotMatch(s.statsLabel, /in all/);
    assert.deepEqual(s.bar, { done: 40, failed: 1.2, running: 0.8 });
    assert.deepEqual(s.stop, { hidden: false, disabled: false, label: "Stop" });
    assert.equal(s.resume.hidden, true);
  });

  it("says how many items came from the answer store, and what that saved", () => {
    const s = jobState({ progress: { ...progress, from_store: 400, saved: 0.84 }, rows: null, errorGroups: null, stopSent: false });
    assert.match(s.countsLabel, /400 from the store \(saved \$0\.8400\)/);
    assert.doesNotMatch(jobState({ progress, rows: null, errorGroups: null, stopSent: false }).countsLabel, /store/);
  });

  it("says when max_cost stopped it, hides Stop once the job has ended, and offers no Resume then", () => {
    const s = jobState({ progress: { ...progress, running: 0, queued: 0, stopped: 588, state: "max_cost", max_cost: 1 },
      rows: null, errorGroups: null, stopSent: false });
    assert.equal(s.stateLabel, "Stopped at max_cost");
    assert.match(s.notice ?? "", /would have passed max_cost \(\$1\.00\)/);
    assert.match(s.countsLabel, /588 not run/);
    assert.match(s.statsLabel, /elapsed 2 min 00 s · .*spent \$0\.8421 of max \$1\.00/);
    assert.doesNotMatch(s.statsLabel, /left/);
    assert.equal(s.stop.hidden, true);
    assert.equal(s.resume.hidden, true); // resume() would stop again at once
  });

  it("offers Resume after Stop, and waits for the kernel once it is pressed", () => {
    const stopped = { ...progress, running: 0, queued: 0, stopped: 588, state: "stopped", resumable: true };
    const s = jobState({ progress: stopped, rows: [], errorGroups: [], stopSent: false });
    assert.deepEqual([s.stop.hidden, s.resume.hidden, s.resume.disabled, s.resume.label], [true, false, false, "Resume"]);
    assert.match(s.resume.title, /600 items not done \(job\.resume\(\)\)/);
    assert.match(s.statsLabel, /spent \$0\.8421 · about \$2\.04 for all 1,000/); // what resuming would cost
    const pressed = jobState({ progress: stopped, rows: [], errorGroups: [], stopSent: false, resumeSent: true });
    assert.deepEqual([pressed.resume.hidden, pressed.resume.disabled, pressed.resume.label], [false, true, "Resuming…"]);
    const failedOnly = jobState({ progress: { ...stopped, stopped: 0, state: "done" }, rows: [], errorGroups: [], stopSent: false });
    assert.equal(failedOnly.resume.label, "Retry failed");
  });

  it("shows rows in input order, numbered as job.results is, with the schema's fields as columns", () => {
    const rows = [
      { index: 4, item: "kettle · Boils fast", status: "done", values: ["positive", "speed"], error: null },
      { index: 5, item: "kettle · Leaks", status: "failed", values: [], error: "schema: no" },
      { index: 6, item: "lamp · Warm light", status: "running", values: [], error: null },
      { index: 7, item: "lamp · Broke", status: "queued", values: [], error: null },
      { index: 8, item: "desk · Sturdy", status: "stopped", values: [], error: null },
    ];
    const s = jobState({ progress, rows, columns: ["sentiment", "topic"], errorGroups: [], stopSent: true });
    assert.deepEqual(s.table.columns, ["#", "item", "sentiment", "topic"]);
    assert.deepEqual(s.table.rows.map((r) => r.index), [4, 5, 6, 7, 8]);
    assert.deepEqual(s.table.rows[0].cells, ["positive", "speed"]);
    assert.deepEqual(s.table.rows.map((r) => r.note), [null, "failed: schema: no", "running…", "queued", "not run"]);
    assert.equal(s.table.caption, "Items 4–8 of 1,000, in input order (# is the index in job.results)");
    assert.deepEqual(s.stop, { hidden: false, disabled: true, label: "Stopping…" });
    const plain = jobState({ progress, rows: [{ index: 0, item: "a", status: "done", values: ["An answer"] }], errorGroups: null, stopSent: false });
    assert.deepEqual([plain.table.columns, plain.table.rows[0].cells], [["#", "item", "answer"], ["An answer"]]);
    assert.equal(jobState({ progress: null, rows: null, errorGroups: null, stopSent: false }).countsLabel, "0 of 0 finished");
  });

  it("names the model, and says when the answers come from the offline demo", () => {
    const s = jobState({ progress, rows: [], errorGroups: [], model: "claude-sonnet-5-5", offline: true, stopSent: false });
    assert.deepEqual([s.model, s.offline], ["claude-sonnet-5-5", true]);
    assert.equal(jobState({ progress, rows: [], errorGroups: [], stopSent: false }).offline, false);
  });

  it("names the batches of a batch job, so that their ids can be copied", () => {
    const s = jobState({ progress: { ...progress, batch_ids: ["msgbatch_1", "msgbatch_2"], batch_status: "in_progress" },
      rows: [], errorGroups: [], stopSent: false });
    assert.equal(s.batch, "Message Batches API (half price) · in_progress · msgbatch_1, msgbatch_2");
    assert.equal(jobState({ progress, rows: [], errorGroups: [], stopSent: false }).batch, null);
  });

  it("formats durations in words", () => {
    assert.equal(formatDuration(0), "0 s");
    assert.equal(formatDuration(12.4), "12 s");
    assert.equal(formatDuration(102), "1 min 42 s");
    assert.equal(formatDuration(7390), "2 h 03 min");
  });
});
