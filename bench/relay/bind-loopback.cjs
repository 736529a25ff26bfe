// Preload (node --require) that keeps the reference sync server on the loopback interface.
//
// @automerge/automerge-repo-sync-server calls `app.listen(PORT, cb)` (express → http.Server →
// net.Server.prototype.listen) with no host, which binds every interface. This wraps
// net.Server.prototype.listen so that any listen on a port is bound to 127.0.0.1, whatever
// host was asked for, and prints the address actually bound (so PORT=0 works):
//   reference listening on http://127.0.0.1:PORT
"use strict"
const net = require("net")

const HOST = "127.0.0.1"
const original = net.Server.prototype.listen

net.Server.prototype.listen = function (...args) {
  const first = args[0]
  if (first !== null && typeof first === "object" && !Array.isArray(first)) {
    // listen({ port, host, ... }, cb?) — a handle or a path ({ fd }, { path }) is left alone.
    if (first.port !== undefined || (first.path === undefined && first.fd === undefined && first._handle === undefined)) {
      args[0] = { ...first, host: HOST }
    }
  } else if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    // listen(port, [host], [backlog], [cb])
    const rest = args.slice(1)
    if (typeof rest[0] === "string") rest.shift()
    args = [Number(first), HOST, ...rest]
  } else if (first === undefined || typeof first === "function") {
    // listen() or listen(cb): a random port
    args = [0, HOST, ...args.filter((a) => a !== undefined)]
  }
  this.once("listening", () => {
    const addr = this.address()
    if (addr && typeof addr === "object") {
      if (addr.address !== HOST) {
        console.error(`bind-loopback: bound ${addr.address}, not ${HOST}; refusing to serve`)
        process.exit(1)
      }
      console.log(`reference listening on http://${addr.address}:${addr.port}`)
    }
  })
  return original.apply(this, args)
}
