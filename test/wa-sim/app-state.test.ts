import { connectProvisioned } from './client'
import { useSimulator } from './fixtures'

const ALICE = '15550010001'

describe('app state', () => {
	const env = useSimulator()

	beforeAll(() => env.sim.createAccount(ALICE, 'Alice'))

	test('a patch from one device is stored and synced to the account’s other devices', async () => {
		const [first, second] = [
			env.track(await connectProvisioned(env.sim, ALICE)),
			env.track(await connectProvisioned(env.sim, ALICE))
		]
		await first.sock.updateProfileName('Alice Renamed')
		await second.waitForCondition(() => second.me?.name === 'Alice Renamed', 5000, 'name synced')
		// a device that links later gets the patch in its first full sync
		const third = env.track(await env.link(ALICE))
		await third.waitForCondition(() => third.me?.name === 'Alice Renamed', 5000, 'name in initial sync')
	})
})
