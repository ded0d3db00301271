// Auto-scroll of the widget's own scroll box (never the page), with user override: follow the
// bottom while the user is there; stop the moment they scroll up; re-stick when they come back.
// The decision logic is a pure function (tested in node); the DOM wiring below it is thin.

/** How close to the bottom (px) counts as "at the bottom". */
export const STICK_DISTANCE_PX = 8;

/**
 * @typedef {{following: boolean, ownScrollTop: number | null}} FollowState
 *   ownScrollTop: the scrollTop this controller set last, so the scroll event it causes is not
 *   mistaken for the user's.
 * @typedef {{scrollTop: number, scrollHeight: number, clientHeight: number}} ScrollMetrics
 * @typedef {(
 *   | {type: "user-up"}
 *   | {type: "scroll", metrics: ScrollMetrics}
 *   | {type: "settle", metrics: ScrollMetrics}
 *   | {type: "scrolled-self", scrollTop: number}
 *   | {type: "jump"}
 * )} FollowEvent
 *   user-up: wheel up, PageUp/ArrowUp/Home, touch drag, scrollbar grab or a text selection: the
 *     user takes over before the resulting scroll event (if any) arrives.
 *   scroll: a scroll event. settle: a gesture ended (pointer/touch up); re-stick if at the bottom.
 *   scrolled-self: the controller just set scrollTop. jump: the "Jump to latest" button.
 */

/** @returns {FollowState} */
export function initialFollowState() {
  return { following: true, ownScrollTop: null };
}

/**
 * @param {ScrollMetrics} m
 * @returns {boolean}
 */
export function isAtBottom(m) {
  return m.scrollHeight - m.scrollTop - m.clientHeight <= STICK_DISTANCE_PX;
}

/**
 * @param {FollowState} state
 * @param {FollowEvent} event
 * @returns {FollowState}
 */
export function nextFollowState(state, event) {
  switch (event.type) {
    case "user-up":
      return { following: false, ownScrollTop: null };
    case "jump":
      return { ...state, following: true };
    case "scrolled-self":
      return { ...state, ownScrollTop: event.scrollTop };
    case "settle":
      return isAtBottom(event.metrics) ? { ...state, following: true } : state;
    case "scroll": {
      const own = state.ownScrollTop !== null && Math.abs(event.metrics.scrollTop - state.ownScrollTop) <= 1;
      if (own) return state;
      return { following: isAtBottom(event.metrics), ownScrollTop: null };
    }
    default:
      return state;
  }
}

const UP_KEYS = new Set(["PageUp", "ArrowUp", "Home"]);

/**
 * @typedef {object} ScrollController
 * @property {() => boolean} isFollowing
 * @property {() => void} follow scroll to the bottom if following (call after the content changed)
 * @property {() => void} jump re-stick and scroll to the bottom
 */

/**
 * Wire the follow logic to a scroll box. Everything is removed when `signal` aborts.
 * @param {HTMLElement} box the element with `overflow: auto`
 * @param {HTMLElement} content the element inside it that grows
 * @param {{signal: AbortSignal, onChange: (following: boolean) => void}} options
 * @returns {ScrollController}
 */
export function createScrollController(box, content, { signal, onChange }) {
  let state = initialFollowState();
  const metrics = () => ({ scrollTop: box.scrollTop, scrollHeight: box.scrollHeight, clientHeight: box.clientHeight });

  /** @param {FollowEvent} event */
  const dispatch = (event) => {
    const before = state.following;
    state = nextFollowState(state, event);
    if (state.following !== before) onChange(state.following);
  };

  const scrollToBottom = () => {
    const target = box.scrollHeight - box.clientHeight;
    if (Math.abs(box.scrollTop - target) <= 1) return;
    box.scrollTop = target;
    dispatch({ type: "scrolled-self", scrollTop: box.scrollTop }); // read back: the browser may round
  };
  const follow = () => {
    if (state.following) scrollToBottom();
  };

  const listen = (/** @type {EventTarget} */ target, /** @type {string} */ type, /** @type {(e: any) => void} */ fn) =>
    target.addEventListener(type, fn, { signal, passive: true });

  listen(box, "scroll", () => dispatch({ type: "scroll", metrics: metrics() }));
  listen(box, "wheel", (/** @type {WheelEvent} */ e) => {
    if (e.deltaY < 0) dispatch({ type: "user-up" });
  });
  listen(box, "keydown", (/** @type {KeyboardEvent} */ e) => {
    if (UP_KEYS.has(e.key) || (e.key === " " && e.shiftKey)) dispatch({ type: "user-up" });
  });
  listen(box, "touchmove", () => dispatch({ type: "user-up" }));
  listen(box, "touchend", () => dispatch({ type: "settle", metrics: metrics() }));
  listen(box, "pointerdown", (/** @type {PointerEvent} */ e) => {
    // a press right of the content box is on the vertical scrollbar
    if (e.target === box && e.offsetX >= box.clientWidth) dispatch({ type: "user-up" });
  });
  listen(box.ownerDocument, "pointerup", () => dispatch({ type: "settle", metrics: metrics() }));
  listen(box.ownerDocument, "selectionchange", () => {
    // inside a shadow root the document's selection is retargeted to the host; Chromium exposes
    // the real one on the shadow root
    const root = /** @type {Document & {getSelection?: () => Selection | null}} */ (box.getRootNode());
    const selection = root.getSelection?.() ?? box.ownerDocument.getSelection();
    if (selection && !selection.isCollapsed && selection.anchorNode && box.contains(selection.anchorNode)) {
      dispatch({ type: "user-up" });
    }
  });

  const resizeObserver = new ResizeObserver(follow);
  resizeObserver.observe(content);
  resizeObserver.observe(box);
  signal.addEventListener("abort", () => resizeObserver.disconnect(), { once: true });

  return {
    isFollowing: () => state.following,
    follow,
    jump() {
      dispatch({ type: "jump" });
      scrollToBottom();
    },
  };
}
