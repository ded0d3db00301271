import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { STICK_DISTANCE_PX, initialFollowState, isAtBottom, nextFollowState } from "../src/ui/scroll.js";

const HEIGHT = 480;
/** Metrics of a 480px box over `contentHeight` px of content scrolled to `scrollTop`. */
const at = (/** @type {number} */ scrollTop, contentHeight = 2000) => ({ scrollTop, scrollHeight: contentHeight, clientHeight: HEIGHT });
const BOTTOM = 2000 - HEIGHT;

describe("isAtBottom", () => {
  it("counts a few pixels above the bottom as the bottom", () => {
    assert.equal(isAtBottom(at(BOTTOM)), true);
    assert.equal(isAtBottom(at(BOTTOM - STICK_DISTANCE_PX)), true);
    assert.equal(isAtBottom(at(BOTTOM - STICK_DISTANCE_PX - 1)), false);
    assert.equal(isAtBottom({ scrollTop: 0, scrollHeight: 100, clientHeight: HEIGHT }), true);
  });
});

describe("nextFollowState", () => {
  it("follows from the start", () => {
    assert.equal(initialFollowState().following, true);
  });

  it("stops following the moment the user signals going up, before any scroll event", () => {
    const state = nextFollowState(initialFollowState(), { type: "user-up" });
    assert.equal(state.following, false);
  });

  it("does not mistake its own scroll for the user's", () => {
    let state = initialFollowState();
    state = nextFollowState(state, { type: "scrolled-self", scrollTop: BOTTOM });
    // the content grew meanwhile: at the controller's own position, but no longer at the bottom
    state = nextFollowState(state, { type: "scroll", metrics: at(BOTTOM, 2600) });
    assert.equal(state.following, true);
  });

  it("stops following when a scroll it did not make leaves the bottom (e.g. scrollbar drag)", () => {
    let state = nextFollowState(initialFollowState(), { type: "scrolled-self", scrollTop: BOTTOM });
    state = nextFollowState(state, { type: "scroll", metrics: at(BOTTOM - 200) });
    assert.equal(state.following, false);
    assert.equal(state.ownScrollTop, null);
  });

  it("re-sticks when the user comes back near the bottom", () => {
    let state = nextFollowState(initialFollowState(), { type: "user-up" });
    state = nextFollowState(state, { type: "scroll", metrics: at(BOTTOM - 300) });
    assert.equal(state.following, false);
    state = nextFollowState(state, { type: "scroll", metrics: at(BOTTOM - 3) });
    assert.equal(state.following, true);
  });

  it("stays put after the user scrolled up while content keeps growing", () => {
    let state = nextFollowState(initialFollowState(), { type: "user-up" });
    state = nextFollowState(state, { type: "scroll", metrics: at(500) });
    state = nextFollowState(state, { type: "scroll", metrics: at(500, 3000) });
    assert.equal(state.following, false);
  });

  it("re-sticks at the end of a gesture that ended at the bottom", () => {
    const up = nextFollowState(initialFollowState(), { type: "user-up" });
    assert.equal(nextFollowState(up, { type: "settle", metrics: at(BOTTOM) }).following, true);
    assert.equal(nextFollowState(up, { type: "settle", metrics: at(100) }).following, false);
  });

  it("jump re-sticks", () => {
    const up = nextFollowState(initialFollowState(), { type: "user-up" });
    assert.equal(nextFollowState(up, { type: "jump" }).following, true);
  });
});
