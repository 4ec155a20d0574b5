/**
 * A stable, readable name for an ephemeral key: an adjective and an animal, plus an icon (a 5×5
 * mirrored identicon, drawn as SVG so it looks the same without emoji fonts), derived from the first
 * bytes of the public key (uniformly random for honest keys). It names the *key*, not the person:
 * the same key always shows the same name, a new identity gets a new one. 64 × 64 names, so two keys
 * can share one (the icon usually tells them apart); the permalink shows the full key.
 */
const ADJECTIVES = [
  'Amber', 'Ashen', 'Azure', 'Brave', 'Brisk', 'Bronze', 'Calm', 'Clever', 'Coral', 'Crimson', 'Curious', 'Dapper',
  'Dusky', 'Eager', 'Early', 'Fabled', 'Fleet', 'Gentle', 'Gilded', 'Golden', 'Hardy', 'Hazel', 'Honest', 'Humble',
  'Indigo', 'Ivory', 'Jade', 'Jolly', 'Keen', 'Kind', 'Lively', 'Lucky', 'Lunar', 'Mellow', 'Misty', 'Modest',
  'Nimble', 'Noble', 'Ochre', 'Olive', 'Patient', 'Plucky', 'Quiet', 'Rapid', 'Rosy', 'Rustic', 'Sable', 'Sage',
  'Scarlet', 'Silent', 'Silver', 'Sunny', 'Swift', 'Tawny', 'Teal', 'Tidy', 'Umber', 'Velvet', 'Vivid', 'Wandering',
  'Witty', 'Woolly', 'Young', 'Zesty',
] as const;

const ANIMALS = [
  'Otter', 'Badger', 'Beaver', 'Bison', 'Boar', 'Camel', 'Cat', 'Crab', 'Crane', 'Crow', 'Deer', 'Dodo', 'Dolphin', 'Dove', 'Duck', 'Eagle',
  'Elephant', 'Falcon', 'Flamingo', 'Fox', 'Frog', 'Gecko', 'Giraffe', 'Goat', 'Gorilla', 'Hamster', 'Hare', 'Hedgehog', 'Heron', 'Hippo', 'Horse', 'Kangaroo',
  'Koala', 'Lion', 'Llama', 'Lobster', 'Lynx', 'Mammoth', 'Moose', 'Mouse', 'Octopus', 'Orca', 'Owl', 'Panda', 'Parrot', 'Peacock', 'Penguin', 'Rabbit',
  'Raccoon', 'Ram', 'Rhino', 'Rooster', 'Seal', 'Shark', 'Sloth', 'Snail', 'Squid', 'Swan', 'Tiger', 'Turtle', 'Unicorn', 'Whale', 'Wolf', 'Zebra',
] as const;

export interface Pseudonym {
  /** e.g. "Amber Otter". */
  name: string;
  /** The identicon as an SVG data URL (decorative: the name says who). */
  icon: string;
  /** Its hue (0-359), from the third byte. */
  hue: number;
}

/**
 * @example
 * import { pseudonym } from './pseudonym.ts';
 * pseudonym('00' + '11'.repeat(31)); // { name: 'Amber Badger', icon: 'data:image/svg+xml,…', hue: … }
 * @throws TypeError when `epk` is not 64 hex characters.
 */
export function pseudonym(epk: string): Pseudonym {
  if (!/^[0-9a-f]{64}$/.test(epk)) throw new TypeError('epk must be 64 lowercase hex characters');
  const byte = (i: number) => parseInt(epk.slice(2 * i, 2 * i + 2), 16);
  const hue = Math.round((byte(2) / 256) * 360);
  return { name: `${ADJECTIVES[byte(0) % 64]} ${ANIMALS[byte(1) % 64]}`, icon: identicon(byte(3) | (byte(4) << 8), hue), hue };
}

/** 15 bits fill the left three columns of a 5×5 grid, mirrored to the right. */
function identicon(bits: number, hue: number): string {
  let cells = '';
  for (let i = 0; i < 15; i++) {
    if (((bits >> i) & 1) === 0) continue;
    const col = Math.floor(i / 5);
    const row = i % 5;
    cells += `<rect x="${col + 1}" y="${row + 1}" width="1" height="1"/>`;
    if (col < 2) cells += `<rect x="${5 - col}" y="${row + 1}" width="1" height="1"/>`;
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 7 7"><rect width="7" height="7" fill="hsl(${hue},70%,88%)"/><g fill="hsl(${hue},60%,35%)">${cells}</g></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
