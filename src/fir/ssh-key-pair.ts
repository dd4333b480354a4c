import { utils as sshUtils } from 'ssh2';

/**
 * An ed25519 key pair in OpenSSH form. ssh2 1.17's generator writes a malformed public key when
 * the raw key starts with a zero byte (about 1 in 256: its length field says 31); such a pair is
 * drawn again, so every key handed out parses.
 */
export function generateSshKeyPair(comment: string): { publicKey: string; privateKey: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = sshUtils.generateKeyPairSync('ed25519', { comment });
    const pub = sshUtils.parseKey(pair.public);
    const priv = sshUtils.parseKey(pair.private);
    if (!(pub instanceof Error) && !(priv instanceof Error) && pub.getPublicSSH().equals(priv.getPublicSSH())) return { publicKey: pair.public.trim(), privateKey: pair.private };
  }
  throw new Error('could not generate a valid ed25519 SSH key pair');
}
