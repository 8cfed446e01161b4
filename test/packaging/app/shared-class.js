// A @Shared user class from the installed package: shipped to the embedded node, run there.
import { shared, shutdown } from 'crucial';
import { Account } from './account.js';

const account = shared(Account, `account-${process.pid}`, { args: ['ann', 10] });
await account.deposit(5);
const balance = await account.deposit(1);
let refused = '';
try {
  await account.deposit(-1);
} catch (err) {
  refused = `${err.remoteName ?? err.name}: ${err.message}`;
}
console.log(JSON.stringify({ balance, refused }));
await shutdown();
