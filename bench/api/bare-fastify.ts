import Fastify from 'fastify';

// The baseline: a bare Fastify hello-world with default settings, nothing else.
const app = Fastify();
app.get('/', async () => ({ hello: 'world' }));
app.listen({ port: 0, host: '127.0.0.1' }).then((address) => process.stdout.write(`listening ${address}\n`));
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
