// The "your consent record" page: the current state, and every receipt this browser signed.
const out = document.getElementById('record');
const show = async () => {
  const cs = window.ConsentSeal;
  if (!cs?.getState) return;
  const s = cs.getState();
  const rows = [
    ['Status', s.status], ['Consent ID', s.subjectId], ['Policy version', s.policyVersion],
    ['Decided', s.decidedAt ?? '—'], ['Expires', s.expiresAt ?? '—'], ['Latest receipt', s.receiptId ?? '—'],
    ...Object.entries(s.purposes).map(([id, on]) => [`Purpose “${id}”`, on ? 'granted' : 'denied']),
  ];
  const table = document.createElement('table');
  for (const [k, v] of rows) {
    const tr = table.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v;
  }
  const receipts = document.createElement('table');
  const head = receipts.createTHead().insertRow();
  for (const h of ['Receipt', 'Issued', 'Delivery', 'Payload']) head.appendChild(document.createElement('th')).textContent = h;
  const list = (await cs.receipts?.()) ?? [];
  for (const r of list) {
    const tr = receipts.insertRow();
    tr.dataset.receiptId = r.receiptId;
    tr.insertCell().textContent = r.receiptId;
    tr.insertCell().textContent = r.issuedAt;
    tr.insertCell().textContent = r.status;
    const payload = JSON.parse(atob(r.jws.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    tr.insertCell().appendChild(document.createElement('code')).textContent = `${payload.action} via ${payload.method}: ${JSON.stringify(payload.purposes)}`;
  }
  const count = document.createElement('p');
  count.id = 'receipt-count';
  count.textContent = `${list.length} receipt(s) signed in this browser.`;
  out.replaceChildren(table, count, receipts);
};
document.addEventListener('consentseal:change', show);
window.ConsentSeal?.on?.('receipt', show);
show();
