import { readFileSync } from 'node:fs';
import net from 'node:net';

/** How many ports below the ephemeral range are candidates. */
const CANDIDATES = 10_000;
/** Linux's default start of the ephemeral range, when /proc does not say. */
const DEFAULT_EPHEMERAL_START = 32_768;
/** Ports handed out by this process: each is free again until its server binds it, so never give it twice. */
const handedOut = new Set<number>();

/**
 * A free port on 127.0.0.1 for a server that needs a number up front (Temporal's, PostgreSQL's).
 * The port is released before that server binds it, so it is taken from just below the kernel's
 * ephemeral range: a port from `listen(0)` is an ephemeral one, which any outgoing connection on
 * the machine may be given in the meantime (seen in CI as embedded PostgreSQL's "Address already
 * in use").
 */
export async function freePort(): Promise<number> {
  const start = ephemeralRangeStart();
  const low = Math.max(1024, start - CANDIDATES);
  for (let attempt = 0; attempt < 100 && low < start; attempt++) {
    const port = low + Math.floor(Math.random() * (start - low));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  return anyPort(); // no room below the range (an unusual kernel setting): the old way
}

function ephemeralRangeStart(): number {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > 0 ? start : DEFAULT_EPHEMERAL_START;
  } catch {
    return DEFAULT_EPHEMERAL_START;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function anyPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
