// The Bluesky stack for the connector tests (run by scripts/servers/bluesky.sh start):
// PLC, PDS, AppView (bsky), bsync and ozone from @atproto/dev-env, on ports from
// BLUESKY_PORT_BASE (PLC +0, PDS +1, AppView +2, ozone +3), with the AppView's tables in a
// private Postgres schema (BLUESKY_SCHEMA). Prints KEY=value lines, then READY.
import nodeNet from 'node:net'

// Loopback only: dev-env's servers call listen(port) with no host, which binds every
// interface. Give such calls 127.0.0.1 before any server starts (a test stack is nobody's
// service). dev-env is imported after the patch.
const listen = nodeNet.Server.prototype.listen
nodeNet.Server.prototype.listen = function (...args) {
  const [first, second] = args
  if (typeof first === 'number' && typeof second !== 'string') args.splice(1, 0, '127.0.0.1')
  else if (first && typeof first === 'object' && first.port !== undefined && !first.host && !first.path) {
    args[0] = { ...first, host: '127.0.0.1' }
  }
  return listen.apply(this, args)
}

const { TestNetwork } = await import('@atproto/dev-env')

const base = Number(process.env.BLUESKY_PORT_BASE || 2582)
const started = Date.now()
const net = await TestNetwork.create({
  dbPostgresSchema: process.env.BLUESKY_SCHEMA || 'bw_bluesky',
  plc: { port: base },
  pds: { port: base + 1, hostname: 'localhost' },
  bsky: { port: base + 2, publicUrl: `http://localhost:${base + 2}` },
  ozone: { port: base + 3, chatUrl: 'http://localhost:2590', chatDid: 'did:example:chat' },
})
console.log(`PLC_URL=${net.plc.url}`)
console.log(`PDS_URL=${net.pds.url}`)
console.log(`APPVIEW_URL=${net.bsky.url}`)
console.log(`STARTUP_MS=${Date.now() - started}`)
console.log('READY')

let closing = false
const close = async () => {
  if (closing) return
  closing = true
  try { await net.close() } finally { process.exit(0) }
}
process.on('SIGTERM', close)
process.on('SIGINT', close)
