"use strict";
// The page: two drawing pads (mouse, pen or touch; or a dropped/picked image file), one call to /api/compare,
// and what came back drawn: the inputs at the model's size and channels, distance against threshold, verdict, nearest
// gallery images by class name. /api/model says the input shape, what a class is called and the class names.

const sides = {};
let threshold = null;
let latest = 0;
// The model's input (MNIST's until /api/model answers) and what its classes are called.
let shape = { channels: 1, height: 14, width: 14 };
let noun = "digit";

for (const side of ["a", "b"]) {
  const pad = document.getElementById("pad-" + side);
  const ctx = pad.getContext("2d");
  const state = { pad, ctx, file: null, inked: false, drawing: false, last: null, ink: "#ffffff" };
  sides[side] = state;
  clearPad(state);

  pad.addEventListener("pointerdown", e => {
    e.preventDefault();
    pad.setPointerCapture(e.pointerId);
    state.drawing = true;
    state.file = null;
    state.last = point(pad, e);
    dot(state, state.last);
  });
  pad.addEventListener("pointermove", e => {
    if (!state.drawing) return;
    const p = point(pad, e);
    line(state, state.last, p);
    state.last = p;
  });
  const end = () => {
    if (!state.drawing) return;
    state.drawing = false;
    if (sides.a.inked && sides.b.inked) compare();
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);

  const panel = document.getElementById("panel-" + side);
  panel.addEventListener("dragover", e => { e.preventDefault(); panel.classList.add("dragover"); });
  panel.addEventListener("dragleave", () => panel.classList.remove("dragover"));
  panel.addEventListener("drop", e => {
    e.preventDefault();
    panel.classList.remove("dragover");
    const file = e.dataTransfer.files[0];
    if (file) useFile(state, file);
  });
  document.getElementById("file-" + side).addEventListener("change", e => {
    if (e.target.files[0]) useFile(state, e.target.files[0]);
    e.target.value = "";
  });
}

for (const side of ["a", "b"])
  document.getElementById("ink-" + side).addEventListener("input", e => { sides[side].ink = e.target.value; });

document.querySelectorAll("[data-clear]").forEach(b => b.addEventListener("click", () => {
  const state = sides[b.dataset.clear];
  clearPad(state);
  showSeen(b.dataset.clear, null);
}));
document.getElementById("compare").addEventListener("click", () => compare());

fetch("/api/model").then(r => r.json()).then(m => {
  threshold = m.threshold;
  if (m.input) shape = m.input;
  if (m.noun) noun = m.noun;
  const size = `${shape.height}×${shape.width}${shape.channels === 3 ? " RGB" : ""}`;
  document.getElementById("model").textContent =
    `network ${m.network} · input ${size} · threshold ${fmt(m.threshold)} · ${m.galleryImages} gallery images · ${m.accelerator}`;
  document.getElementById("threshold").textContent = fmt(m.threshold);
  for (const side of ["a", "b"]) {
    const input = document.getElementById("input-" + side);
    input.width = shape.width;
    input.height = shape.height;
  }
  document.querySelectorAll(".seen-caption").forEach(c => { c.textContent = `as the network sees it (${size})`; });
  if (shape.channels === 3) document.querySelectorAll(".ink").forEach(l => { l.hidden = false; });
  if (noun !== "digit") describeClasses(m, size);
}).catch(() => { document.getElementById("model").textContent = "the model could not be reached"; });

// A model of other classes than digits: its words, its class names, its preprocessing.
function describeClasses(m, size) {
  document.title = "GpuSiamese · same class?";
  document.getElementById("noun").textContent = "class";
  document.getElementById("lede").textContent =
    "Drop or pick an image file on each box (or draw in it). A Siamese network turns each one into a point; " +
    "close points mean the same class, even for classes it never saw in training.";
  document.getElementById("verdict").textContent = "drop two images";
  const classes = document.getElementById("classes");
  // A folder's name, not its whole path.
  const dataset = m.dataset.split(/[\\/]/).filter(Boolean).pop() || m.dataset;
  classes.replaceChildren(`${m.classes.length} classes in ${dataset}: `);
  m.classes.slice(0, 40).forEach((name, i) => {
    const b = document.createElement("b");
    b.textContent = name;
    classes.append(...(i > 0 ? [", ", b] : [b]));
  });
  if (m.classes.length > 40) classes.append(", …");
  classes.hidden = false;
  document.getElementById("footer").textContent =
    `Each image becomes the network's ${size} input as the model's training images did (${m.input.preprocessing}), ` +
    `exactly as gpusiamese compare does. “Looks like” is the class of the nearest gallery image, or unknown when even that ` +
    `is farther than the threshold. Refused: ${m.refuses}. API: POST /api/compare, /api/embed, /api/identify.`;
}

function point(pad, e) {
  const r = pad.getBoundingClientRect();
  return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
}

function brush(state) {
  const c = state.ctx;
  const ink = shape.channels === 3 ? state.ink : "#ffffff";
  c.strokeStyle = c.fillStyle = ink;
  c.lineWidth = 20;
  c.lineCap = c.lineJoin = "round";
  c.shadowColor = shape.channels === 3 ? ink + "80" : "rgba(255,255,255,0.5)";
  c.shadowBlur = 4;
}

function dot(state, p) {
  brush(state);
  state.ctx.beginPath();
  state.ctx.arc(p.x, p.y, 10, 0, 2 * Math.PI);
  state.ctx.fill();
  state.inked = true;
}

function line(state, from, to) {
  brush(state);
  state.ctx.beginPath();
  state.ctx.moveTo(from.x, from.y);
  state.ctx.lineTo(to.x, to.y);
  state.ctx.stroke();
  state.inked = true;
}

function clearPad(state) {
  state.ctx.shadowBlur = 0;
  state.ctx.fillStyle = "#14131b";
  state.ctx.fillRect(0, 0, state.pad.width, state.pad.height);
  state.file = null;
  state.inked = false;
}

// A file is sent as it is (the server preprocesses the original); the pad only shows it.
function useFile(state, file) {
  const url = URL.createObjectURL(file);
  const img = new Image();
  img.onload = () => {
    clearPad(state);
    const c = state.ctx, w = state.pad.width, h = state.pad.height;
    const s = Math.min(w / img.width, h / img.height);
    c.fillStyle = "#fff";
    c.fillRect((w - img.width * s) / 2, (h - img.height * s) / 2, img.width * s, img.height * s);
    c.drawImage(img, (w - img.width * s) / 2, (h - img.height * s) / 2, img.width * s, img.height * s);
    URL.revokeObjectURL(url);
    state.file = file;
    state.inked = true;
    if (sides.a.inked && sides.b.inked) compare();
  };
  img.onerror = () => {
    URL.revokeObjectURL(url);
    // Not something the browser can show: send it anyway and let the server say why it refuses it.
    clearPad(state);
    state.file = file;
    state.inked = true;
    if (sides.a.inked && sides.b.inked) compare();
  };
  img.src = url;
}

function blobOf(state) {
  if (state.file) return Promise.resolve(state.file);
  return new Promise(resolve => state.pad.toBlob(resolve, "image/png"));
}

async function compare() {
  const result = document.getElementById("result");
  const error = document.getElementById("error");
  for (const side of ["a", "b"]) {
    if (!sides[side].inked) {
      error.textContent = noun === "digit"
        ? `draw a digit in ${side.toUpperCase()} first`
        : `drop an image on ${side.toUpperCase()} (or draw in it) first`;
      result.dataset.state = "done";
      return;
    }
  }
  const id = ++latest;
  result.dataset.state = "busy";
  error.textContent = "";
  const form = new FormData();
  form.append("a", await blobOf(sides.a), "a.png");
  form.append("b", await blobOf(sides.b), "b.png");
  let reply, body;
  try {
    reply = await fetch("/api/compare", { method: "POST", body: form });
    body = await reply.json();
  } catch (e) {
    if (id !== latest) return;
    error.textContent = "the server could not be reached";
    result.dataset.state = "done";
    return;
  }
  if (id !== latest) return; // a newer comparison is on its way
  if (!reply.ok) {
    error.textContent = body.error || `refused (${reply.status})`;
    delete result.dataset.verdict;
    document.getElementById("verdict").textContent = "–";
    document.getElementById("distance").textContent = "–";
    result.dataset.state = "done";
    return;
  }
  document.getElementById("distance").textContent = fmt(body.distance);
  document.getElementById("threshold").textContent = fmt(body.threshold);
  document.getElementById("verdict").textContent = noun === "digit"
    ? (body.same ? "Same digit" : "Different digits")
    : (body.same ? "Same class" : "Different classes");
  result.dataset.verdict = body.same ? "same" : "different";
  // The gauge spans 0 to twice the threshold: the mark in the middle is the threshold.
  const t = body.threshold || 1;
  document.getElementById("gauge-fill").style.width = Math.min(100, 50 * body.distance / t) + "%";
  showSeen("a", body.a);
  showSeen("b", body.b);
  result.dataset.state = "done";
}

function showSeen(side, seen) {
  const input = document.getElementById("input-" + side);
  const identity = document.getElementById("identity-" + side);
  const nearest = document.getElementById("nearest-" + side);
  nearest.innerHTML = "";
  if (!seen) {
    input.getContext("2d").clearRect(0, 0, input.width, input.height);
    identity.textContent = "–";
    identity.classList.remove("unknown", "name");
    return;
  }
  paint(input, seen.input);
  identity.textContent = seen.label;
  identity.classList.toggle("unknown", seen.identity === null);
  // A digit is one big character; a class name is a word or more.
  identity.classList.toggle("name", seen.identity !== null && noun !== "digit");
  for (const m of seen.nearest) {
    const cell = document.createElement("div");
    cell.className = "match";
    const c = document.createElement("canvas");
    c.width = shape.width;
    c.height = shape.height;
    paint(c, m.image);
    const caption = document.createElement("div");
    const name = document.createElement(noun === "digit" ? "b" : "span");
    if (noun !== "digit") name.className = "name";
    name.textContent = m.label ?? m.digit;
    name.title = name.textContent;
    caption.append(name, noun === "digit" ? ` · ${fmt(m.distance)}` : fmt(m.distance));
    cell.append(c, caption);
    nearest.append(cell);
  }
}

// An image of the API: the model's input as levels 0..255 (0 = black), row by row, each pixel's channels together
// (grey, or R G B), in base64.
function paint(canvas, base64) {
  const c = canvas.getContext("2d");
  const w = shape.width, h = shape.height, ch = shape.channels;
  const img = c.createImageData(w, h);
  const pixels = atob(base64);
  for (let i = 0; i < w * h; i++) {
    for (let k = 0; k < 3; k++) img.data[4 * i + k] = pixels.charCodeAt(ch * i + (ch === 3 ? k : 0));
    img.data[4 * i + 3] = 255;
  }
  c.putImageData(img, 0, 0);
}

function fmt(x) {
  return x === null || x === undefined ? "none" : Number(x).toFixed(3);
}
