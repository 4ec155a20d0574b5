// `veil keygen`: a fresh Ed25519 ephemeral key pair as JSON { secretKey, publicKey } (hex).
import type { Command } from 'commander';
import { bytesToHex as hex, generateEphemeralKey } from '@veil/crypto';
import { action } from '../lib/run.ts';

export function register(program: Command): void {
  program
    .command('keygen')
    .description('generate an Ed25519 ephemeral key pair: {"secretKey": hex, "publicKey": hex}')
    .action(
      action(() => {
        const { secretKey, publicKey } = generateEphemeralKey();
        process.stdout.write(`${JSON.stringify({ secretKey: hex(secretKey), publicKey: hex(publicKey) })}\n`);
      }),
    );
}
