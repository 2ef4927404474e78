// SPDX-License-Identifier: MIT
// A Node.js UPnP control point (@achingbrain/nat-port-mapper) for
// tests/e2e/36-smap-upnp.sh: finds the IGD by SSDP, maps LOCAL_PORT of
// HOST over TCP (AddAnyPortMapping, IGD:2) and prints one JSON line
// {"externalHost", "externalPort", "internalHost", "internalPort"}.
//   node map.mjs LOCAL_PORT HOST
import { upnpNat } from '@achingbrain/nat-port-mapper'

const [localPort, host] = process.argv.slice(2)
const client = upnpNat({ autoRefresh: false, description: 'node-e2e' })

for await (const gw of client.findGateways({ signal: AbortSignal.timeout(10000) })) {
  const m = await gw.map(Number(localPort), host, { protocol: 'tcp', autoRefresh: false })
  console.log(JSON.stringify(m))
  process.exit(0)
}
console.error('no gateway found')
process.exit(1)
