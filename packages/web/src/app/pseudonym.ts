/**
 * A stable, readable name for an ephemeral key: an adjective, an animal and its icon, derived from
 * the first bytes of the public key (uniformly random for honest keys). It names the *key*, not the
 * person: the same key always shows the same name, a new identity gets a new one. 64 × 64 names, so
 * two keys can share one; the permalink shows the full key for the cases that matter.
 */
const ADJECTIVES = [
  'Amber', 'Ashen', 'Azure', 'Brave', 'Brisk', 'Bronze', 'Calm', 'Clever', 'Coral', 'Crimson', 'Curious', 'Dapper',
  'Dusky', 'Eager', 'Early', 'Fabled', 'Fleet', 'Gentle', 'Gilded', 'Golden', 'Hardy', 'Hazel', 'Honest', 'Humble',
  'Indigo', 'Ivory', 'Jade', 'Jolly', 'Keen', 'Kind', 'Lively', 'Lucky', 'Lunar', 'Mellow', 'Misty', 'Modest',
  'Nimble', 'Noble', 'Ochre', 'Olive', 'Patient', 'Plucky', 'Quiet', 'Rapid', 'Rosy', 'Rustic', 'Sable', 'Sage',
  'Scarlet', 'Silent', 'Silver', 'Sunny', 'Swift', 'Tawny', 'Teal', 'Tidy', 'Umber', 'Velvet', 'Vivid', 'Wandering',
  'Witty', 'Woolly', 'Young', 'Zesty',
] as const;

const ANIMALS: ReadonlyArray<readonly [string, string]> = [
  ['Otter', '🦦'], ['Badger', '🦡'], ['Beaver', '🦫'], ['Bison', '🦬'], ['Boar', '🐗'], ['Camel', '🐫'], ['Cat', '🐈'], ['Crab', '🦀'],
  ['Crane', '🪿'], ['Crow', '🐦‍⬛'], ['Deer', '🦌'], ['Dodo', '🦤'], ['Dolphin', '🐬'], ['Dove', '🕊️'], ['Duck', '🦆'], ['Eagle', '🦅'],
  ['Elephant', '🐘'], ['Falcon', '🪶'], ['Flamingo', '🦩'], ['Fox', '🦊'], ['Frog', '🐸'], ['Gecko', '🦎'], ['Giraffe', '🦒'], ['Goat', '🐐'],
  ['Gorilla', '🦍'], ['Hamster', '🐹'], ['Hare', '🐇'], ['Hedgehog', '🦔'], ['Heron', '🦢'], ['Hippo', '🦛'], ['Horse', '🐎'], ['Kangaroo', '🦘'],
  ['Koala', '🐨'], ['Lion', '🦁'], ['Llama', '🦙'], ['Lobster', '🦞'], ['Lynx', '🐆'], ['Mammoth', '🦣'], ['Moose', '🫎'], ['Mouse', '🐁'],
  ['Octopus', '🐙'], ['Orca', '🐋'], ['Owl', '🦉'], ['Panda', '🐼'], ['Parrot', '🦜'], ['Peacock', '🦚'], ['Penguin', '🐧'], ['Rabbit', '🐰'],
  ['Raccoon', '🦝'], ['Ram', '🐏'], ['Rhino', '🦏'], ['Rooster', '🐓'], ['Seal', '🦭'], ['Shark', '🦈'], ['Sloth', '🦥'], ['Snail', '🐌'],
  ['Squid', '🦑'], ['Swan', '🦢'], ['Tiger', '🐅'], ['Turtle', '🐢'], ['Unicorn', '🦄'], ['Whale', '🐳'], ['Wolf', '🐺'], ['Zebra', '🦓'],
];

export interface Pseudonym {
  /** e.g. "Amber Otter". */
  name: string;
  /** An emoji for the animal (decorative: the name says the same). */
  icon: string;
  /** A hue (0-359) for the avatar background, from a third byte. */
  hue: number;
}

/**
 * @example
 * import { pseudonym } from './pseudonym.ts';
 * pseudonym('00' + '11'.repeat(31)); // { name: 'Amber Badger', icon: '🦡', hue: … }
 * @throws TypeError when `epk` is not 64 hex characters.
 */
export function pseudonym(epk: string): Pseudonym {
  if (!/^[0-9a-f]{64}$/.test(epk)) throw new TypeError('epk must be 64 lowercase hex characters');
  const byte = (i: number) => parseInt(epk.slice(2 * i, 2 * i + 2), 16);
  const [animal, icon] = ANIMALS[byte(1) % 64]!;
  return { name: `${ADJECTIVES[byte(0) % 64]} ${animal}`, icon, hue: Math.round((byte(2) / 256) * 360) };
}
