import { newId } from '../../server/src/db/ids';

it('makes 24-character, letter-first, base-36 ids that do not repeat', () => {
  const ids = Array.from({ length: 100_000 }, newId);
  for (const id of ids.slice(0, 1000)) expect(id).toMatch(/^[a-z][0-9a-z]{23}$/);
  expect(new Set(ids).size).toBe(ids.length);
  const firstLetters = new Set(ids.slice(0, 2000).map((id) => id[0]));
  expect(firstLetters.size).toBe(26);
});
