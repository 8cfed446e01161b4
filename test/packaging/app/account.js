// A user's @Shared class in plain JavaScript (no decorator syntax): its methods run on the node.
import { Shared } from 'crucial';

export class Account {
  constructor(owner, balance) {
    this.owner = owner;
    this.balance = balance;
  }

  deposit(amount) {
    if (amount <= 0) throw new RangeError(`deposit of ${amount}`);
    this.balance += amount;
    return this.balance;
  }
}
Shared()(Account, { kind: 'class', name: 'Account' });
