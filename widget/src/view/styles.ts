// The panel's stylesheet, rendered inside the launcher's shadow root (class names must not collide with the launcher's: .l .b .c …).
export const CSS = `\
.p{position:fixed;z-index:2147483001;width:370px;height:min(600px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;color:#111;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.25);font:14px/1.45 system-ui,-apple-system,sans-serif;overflow:hidden}\
.p.br{right:20px;bottom:88px}.p.bl{left:20px;bottom:88px}.p.tr{right:20px;top:88px}.p.tl{left:20px;top:88px}\
header{background:var(--p,#2563eb);color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}\
header h2{font-size:16px;margin:0;flex:1}\
button{font:inherit;cursor:pointer}\
.x{background:transparent;border:0;color:#fff;font-size:22px;line-height:1;padding:2px 6px;border-radius:6px}\
.x:focus-visible,.s:focus-visible,input:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid var(--a,#f59e0b);outline-offset:1px}\
.m{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}\
.g{color:#444;background:#f3f4f6;border-radius:10px;padding:8px 10px}\
.bub{max-width:80%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word;background:#f3f4f6}\
.bub.v{align-self:flex-end;background:var(--p,#2563eb);color:#fff}\
.bub.v a{color:#fff}\
.bub small{display:block;font-size:11px;opacity:.75}.bub.v small{opacity:1}\
.n{margin:0 12px 8px;padding:6px 10px;border-radius:8px;background:#fef3c7;color:#78350f;font-size:13px}\
form{padding:10px 12px;border-top:1px solid #e5e7eb;display:flex;flex-direction:column;gap:8px}\
label{font-size:13px;color:#374151;display:flex;flex-direction:column;gap:3px}\
input,textarea{font:inherit;font-size:15px;padding:8px 10px;border:1px solid #d1d5db;border-radius:8px;width:100%;color:#111;background:#fff;resize:none}\
[aria-invalid=true]{border-color:#dc2626}\
.e{color:#b91c1c;font-size:12px}\
.row{display:flex;gap:8px;align-items:flex-end}\
.s{background:var(--p,#2563eb);color:#fff;border:0;border-radius:8px;padding:9px 14px}\
.u{padding:24px;text-align:center;color:#444}\
.bub .k{background:none;border:0;color:inherit;text-decoration:underline;padding:0 8px 0 0;font-size:12px}\
.n .k{margin-left:8px}\
@media (max-width:640px){.p{inset:0;width:100%;height:100%;border-radius:0}input,textarea{font-size:16px}}\
`;
