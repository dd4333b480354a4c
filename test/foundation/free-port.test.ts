import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, it } from 'mocha';
import { freePort } from '../../src/runtime/free-port';

describe('freePort: ports for servers that need a number up front', () => {
  it('hands out distinct, bindable ports below the ephemeral range, which outgoing connections cannot take meanwhile', async () => {
    const ephemeralStart = (() => {
      try {
        return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
      } catch {
        return 32_768; // Linux's default, which freePort assumes without /proc
      }
    })();
    const ports: number[] = [];
    for (let i = 0; i < 50; i++) ports.push(await freePort());
    assert.equal(new Set(ports).size, ports.length, 'a port was handed out twice');
    for (const port of ports) assert.ok(port >= 1024 && port < ephemeralStart, `${port} is not below the ephemeral range (from ${ephemeralStart})`);
    // Each one can really be bound (and is then released again).
    for (const port of ports.slice(0, 5)) {
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
