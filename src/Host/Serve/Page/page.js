"use strict";
// The page: two drawing pads (mouse, pen or touch; or a dropped/picked image file), one call to /api/compare,
// and what came back drawn: the 14x14 inputs, distance against threshold, verdict, nearest gallery digits.

const sides = {};
let threshold = null;
let latest = 0;

for (const side of ["a", "b"]) {
  const pad = document.getElementById("pad-" + side);
  const ctx = pad.getContext("2d");
  const state = { pad, ctx, file: null, inked: false, drawing: false, last: null };
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

document.querySelectorAll("[data-clear]").forEach(b => b.addEventListener("click", () => {
  const state = sides[b.dataset.clear];
  clearPad(state);
  showSeen(b.dataset.clear, null);
}));
document.getElementById("compare").addEventListener("click", () => compare());

fetch("/api/model").then(r => r.json()).then(m => {
  threshold = m.threshold;
  document.getElementById("model").textContent =
    `network ${m.network} · threshold ${fmt(m.threshold)} · ${m.galleryImages} gallery images · ${m.accelerator}`;
  document.getElementById("threshold").textContent = fmt(m.threshold);
}).catch(() => { document.getElementById("model").textContent = "the model could not be reached"; });

function point(pad, e) {
  const r = pad.getBoundingClientRect();
  return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
}

function brush(state) {
  const c = state.ctx;
  c.strokeStyle = c.fillStyle = "#fff";
  c.lineWidth = 20;
  c.lineCap = c.lineJoin = "round";
  c.shadowColor = "rgba(255,255,255,0.5)";
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
      error.textContent = `draw a digit in ${side.toUpperCase()} first`;
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
  document.getElementById("verdict").textContent = body.same ? "Same digit" : "Different digits";
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
    input.getContext("2d").clearRect(0, 0, 14, 14);
    identity.textContent = "–";
    identity.classList.remove("unknown");
    return;
  }
  paint(input, seen.input);
  identity.textContent = seen.label;
  identity.classList.toggle("unknown", seen.identity === null);
  for (const m of seen.nearest) {
    const cell = document.createElement("div");
    cell.className = "match";
    const c = document.createElement("canvas");
    c.width = c.height = 14;
    paint(c, m.image);
    const caption = document.createElement("div");
    caption.innerHTML = `<b>${m.digit}</b> · ${fmt(m.distance)}`;
    cell.append(c, caption);
    nearest.append(cell);
  }
}

// An image of the API: 14x14 grey levels 0..255 (0 = background), row by row, in base64.
function paint(canvas, base64) {
  const c = canvas.getContext("2d");
  const img = c.createImageData(14, 14);
  const pixels = atob(base64);
  for (let i = 0; i < 196; i++) {
    const v = pixels.charCodeAt(i);
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  c.putImageData(img, 0, 0);
}

function fmt(x) {
  return x === null || x === undefined ? "none" : Number(x).toFixed(3);
}
