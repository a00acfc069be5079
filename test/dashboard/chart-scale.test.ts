import { ticks } from '../../server/dashboard/src/chart-scale';

describe('dashboard chart scale', () => {
  it.each([
    [0, [0, 1]],
    [1, [0, 1]],
    [3, [0, 1, 2, 3]],
    [7, [0, 2, 4, 6, 8]],
    [33, [0, 10, 20, 30, 40]],
    [40, [0, 10, 20, 30, 40]],
    [1234, [0, 500, 1000, 1500]],
  ])('up to %d: whole 1-2-5 steps from 0 to at least the maximum, %j', (max, expected) => {
    expect(ticks(max)).toEqual(expected);
  });
});
