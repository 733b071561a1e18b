import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CaAccount } from '../ca/ca-client.js';
import { CaConnection } from '../ca/ca-connection.js';
import { SecretBox } from '../common/secret-box.js';
import { Nren } from '../nrens/nren.entity.js';
import { Product } from '../products/product.entity.js';

// The NREN's account at the CA, as the plain value the CA port takes: its login and password
// (decrypted only here, only for the call), customer id, and the CA's product ids (the
// catalogue's, with the NREN's own where they differ). An NREN without a login orders from
// the simulated CA when that is the CA in use.
@Injectable()
export class CaAccounts {
  constructor(
    private readonly connection: CaConnection,
    private readonly secrets: SecretBox,
  ) {}

  // One lookup per NREN for the length of a job's run: a batch of orders of one NREN reads
  // its account and the catalogue once.
  memo(em: EntityManager): (nrenId: number) => Promise<CaAccount | null> {
    const known = new Map<number, Promise<CaAccount | null>>();
    return (nrenId) => {
      let account = known.get(nrenId);
      if (!account) {
        account = this.forNren(em, nrenId);
        known.set(nrenId, account);
      }
      return account;
    };
  }

  // Null: this NREN has no account at the CA in use (an administrator must set one).
  async forNren(em: EntityManager, nrenId: number): Promise<CaAccount | null> {
    const [nren, products] = await Promise.all([
      em.findOneByOrFail(Nren, { id: nrenId }),
      em.find(Product, { take: 1000 }),
    ]);
    if (nren.caLoginName && nren.caPasswordEnc) {
      const catalogue = Object.fromEntries(
        products.flatMap((p) => (p.caProductId === null ? [] : [[p.code, p.caProductId]])),
      );
      return {
        loginName: nren.caLoginName,
        password: this.secrets.open(nren.caPasswordEnc),
        customerId: nren.caCustomerId,
        productIds: { ...catalogue, ...nren.caProductIds },
      };
    }
    return this.connection.simulatorAccount(products);
  }
}
