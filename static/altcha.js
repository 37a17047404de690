// The robot check of the donation form: an ALTCHA proof of work, solved here (no third party).
// The server asks for it only while a client or a campaign looks like card testing
// (app/donations/limits.py). Find n (0 <= n <= maxnumber) with SHA-256(salt + n) == challenge,
// then put base64(JSON {algorithm, challenge, number, salt, signature}) in the hidden field.
(() => {
  const box = document.querySelector("[data-altcha]");
  if (!box) return;
  const form = box.closest("form");
  const field = box.querySelector('input[name="altcha"]');
  const status = box.querySelector("[data-altcha-status]");
  const button = form.querySelector('button[type="submit"]');
  const task = JSON.parse(box.dataset.altcha);
  // Set when the donor already pressed the button: send the form as soon as the check is done.
  let sendWhenDone = box.dataset.altchaSend === "1";
  let finished = false;

  const encoder = new TextEncoder();
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  // crypto.subtle exists only on https and localhost; plain http on a LAN uses the fallback.
  const digest = globalThis.crypto && crypto.subtle
    ? async (text) => hex(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))))
    : async (text) => hex(sha256(encoder.encode(text)));

  async function solve() {
    const batch = 1000; // hashes in flight at once; yields to the page between batches
    for (let start = 0; start <= task.maxnumber; start += batch) {
      const numbers = [];
      for (let n = start; n <= Math.min(start + batch - 1, task.maxnumber); n += 1) numbers.push(n);
      const hashes = await Promise.all(numbers.map((n) => digest(task.salt + n)));
      const found = hashes.indexOf(task.challenge);
      if (found >= 0) return numbers[found];
    }
    return null;
  }

  function say(text) {
    status.textContent = text;
  }

  form.addEventListener("submit", (event) => {
    if (finished) return;
    event.preventDefault();
    sendWhenDone = true;
    button.disabled = true;
    say(box.dataset.working);
  });

  // Back to this page from the checkout (the page is restored as it was): the button works.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) button.disabled = false;
  });

  say(box.dataset.working);
  if (sendWhenDone) button.disabled = true;
  solve().then((number) => {
    if (number === null) throw new Error("no solution");
    const payload = { algorithm: task.algorithm, challenge: task.challenge, number, salt: task.salt, signature: task.signature };
    field.value = btoa(JSON.stringify(payload));
    finished = true;
    say(box.dataset.done);
    if (sendWhenDone) form.submit();
  }).catch(() => {
    button.disabled = false;
    say(box.dataset.failed);
  });

  // SHA-256 (FIPS 180-4) for browsers without crypto.subtle.
  function sha256(message) {
    const K = new Uint32Array([
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
      0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
      0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
      0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
      0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
      0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]);
    const H = new Uint32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]);
    const length = message.length;
    const padded = new Uint8Array(Math.ceil((length + 9) / 64) * 64);
    padded.set(message);
    padded[length] = 0x80;
    const view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
    view.setUint32(padded.length - 4, (length * 8) >>> 0);
    const w = new Uint32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let offset = 0; offset < padded.length; offset += 64) {
      for (let i = 0; i < 16; i += 1) w[i] = view.getUint32(offset + i * 4);
      for (let i = 16; i < 64; i += 1) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
      }
      let [a, b, c, d, e, f, g, h] = H;
      for (let i = 0; i < 64; i += 1) {
        const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        h = g; g = f; f = e; e = (d + t1) >>> 0;
        d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
    }
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    for (let i = 0; i < 8; i += 1) outView.setUint32(i * 4, H[i]);
    return out;
  }
})();
