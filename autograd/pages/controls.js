// What the explorer and the replay share: the Previous / Play / Next buttons, the slider and the
// keys (← → step, Home / End jump, space plays). Each page script calls pageControls() for each
// of its boxes, then routeKeys() once. Plain script, no library; inlined before the page's own.
"use strict";

// Wire one box's controls. `count` is the number of steps, `show(i)` draws step i (clamped by
// the page) and `current()` says which step is shown; `interval` is the play timer in ms.
function pageControls(box, count, show, current, interval) {
  const slider = box.querySelector(".slider");
  const playButton = box.querySelector(".play");
  let timer = null;

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    playButton.textContent = "▶ Play";
  }

  function play() {
    if (timer !== null) return stop();
    if (current() === count - 1) show(0);
    playButton.textContent = "❚❚ Pause";
    timer = setInterval(() => {
      if (current() >= count - 1) return stop();
      show(current() + 1);
    }, interval);
  }

  box.querySelector(".prev").addEventListener("click", () => { stop(); show(current() - 1); });
  box.querySelector(".next").addEventListener("click", () => { stop(); show(current() + 1); });
  playButton.addEventListener("click", play);
  slider.addEventListener("input", () => { stop(); show(Number(slider.value)); });

  return function key(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const onSlider = event.target === slider;
    if (event.key === "ArrowRight" && !onSlider) { stop(); show(current() + 1); }
    else if (event.key === "ArrowLeft" && !onSlider) { stop(); show(current() - 1); }
    else if (event.key === "Home") { stop(); show(0); }
    else if (event.key === "End") { stop(); show(count - 1); }
    else if (event.key === " ") play();
    else return;
    event.preventDefault();
  };
}

// Set up every element matching `selector` with `setup(box)`, which returns its key handler;
// the keys go to the box last clicked or focused (the first one until then).
function routeKeys(selector, setup) {
  const handlers = [];
  let active = 0;
  document.querySelectorAll(selector).forEach((box, i) => {
    handlers.push(setup(box));
    box.addEventListener("pointerdown", () => { active = i; });
    box.addEventListener("focusin", () => { active = i; });
  });
  document.addEventListener("keydown", (event) => {
    if (handlers.length) handlers[active](event);
  });
}
