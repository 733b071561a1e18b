import { randomInt } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SimOrder {
  orderNumber: string;
  foreignOrderNumber: string | null;
  productId: number;
  csrPem: string;
  names: string[];
  days: number;
  organisation: { name?: string; locality?: string; state?: string; country?: string };
  test: boolean;
  polls: number;
  state: 'pending' | 'issued' | 'revoked';
  certificateDer: string | null;
  serialNumber: string | null;
  revocationReason: string | null;
  createdAt: string;
}

// Orders kept as one JSON file each in the simulator's folder, so they outlive a restart of
// the app and are shared by instances that share the data folder. Written whole and renamed
// into place, so a reader never sees half an order.
export class SimStore {
  private readonly orders: string;
  private readonly foreign: string;

  constructor(folder: string) {
    this.orders = join(folder, 'orders');
    this.foreign = join(folder, 'by-foreign-order-number');
  }

  async init(): Promise<void> {
    await mkdir(this.orders, { recursive: true });
    await mkdir(this.foreign, { recursive: true });
  }

  // Allocates a number no other order (from any instance) has: exclusive create.
  async create(order: Omit<SimOrder, 'orderNumber'>): Promise<SimOrder> {
    for (;;) {
      const orderNumber = String(randomInt(10_000_000, 99_999_999));
      const created: SimOrder = { orderNumber, ...order };
      try {
        await writeFile(this.file(orderNumber), JSON.stringify(created), { flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
          continue;
        }
        throw err;
      }
      if (order.foreignOrderNumber !== null) {
        const dir = join(this.foreign, encodeURIComponent(order.foreignOrderNumber));
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, orderNumber), '');
      }
      return created;
    }
  }

  async get(orderNumber: string): Promise<SimOrder | null> {
    if (!/^\d{1,20}$/.test(orderNumber)) {
      return null;
    }
    try {
      return JSON.parse(await readFile(this.file(orderNumber), 'utf8')) as SimOrder;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return null;
      }
      throw err;
    }
  }

  async bySerial(serialNumber: string): Promise<SimOrder | null> {
    const wanted = serialNumber.toLowerCase().replace(/^0+/, '');
    for (const name of await readdir(this.orders)) {
      const order = await this.get(name.replace(/\.json$/, ''));
      if (order?.serialNumber?.replace(/^0+/, '') === wanted) {
        return order;
      }
    }
    return null;
  }

  async save(order: SimOrder): Promise<void> {
    const tmp = `${this.file(order.orderNumber)}.${process.pid}.${randomInt(1e9)}.tmp`;
    await writeFile(tmp, JSON.stringify(order));
    await rename(tmp, this.file(order.orderNumber));
  }

  // How many orders arrived with this foreignOrderNumber: a second one is a double order.
  async countByForeignOrderNumber(foreignOrderNumber: string): Promise<number> {
    return (await this.byForeignOrderNumber(foreignOrderNumber)).length;
  }

  // The order numbers placed with this foreignOrderNumber: what an RAO looks up at the CA.
  async byForeignOrderNumber(foreignOrderNumber: string): Promise<string[]> {
    try {
      return (await readdir(join(this.foreign, encodeURIComponent(foreignOrderNumber)))).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return [];
      }
      throw err;
    }
  }

  private file(orderNumber: string): string {
    return join(this.orders, `${orderNumber}.json`);
  }
}
