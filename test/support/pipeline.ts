import { CaConnection } from '../../src/ca/ca-connection.js';
import type { SimulatedCa } from '../../src/ca/simulator/simulated-ca.js';
import { Certificate } from '../../src/certificates/certificate.entity.js';
import { Transactions } from '../../src/database/transactions.js';
import { CaOrder } from '../../src/orders/ca-order.entity.js';
import { CollectingService } from '../../src/orders/collecting.service.js';
import { OrderingService } from '../../src/orders/ordering.service.js';
import { CertificateRequest } from '../../src/requests/certificate-request.entity.js';
import { RequestLifecycle, systemActing } from '../../src/requests/request-lifecycle.js';
import { Directory } from './directory.js';
import { csrFor, submitRequest, usableDomain } from './requests.js';
import type { TestApp } from './test-app.js';

// One NREN, organisation and department with a usable domain, a requester and an RAO: enough
// to take requests from approved to issued through the real pipeline and the simulated CA.
export class PipelineFixture {
  dir!: Directory;
  deptId!: number;
  orgId!: number;
  nrenId!: number;
  domain!: string;
  requester!: { id: number; token: string };
  rao!: { id: number; token: string };
  private seq = 0;

  constructor(readonly t: TestApp) {}

  async init(tag: string): Promise<this> {
    this.dir = await new Directory(this.t).init();
    const nren = await this.dir.nren(`PIPE-${tag}`);
    this.nrenId = nren.id;
    const org = await this.dir.organisation(nren.id, `Pipeline University ${tag}`);
    this.orgId = org.id;
    this.deptId = (await this.dir.department(org.id, 'Physics')).id;
    this.domain = `${tag.toLowerCase()}.pipeline.example.org`;
    const domain = await this.dir.domain(org.id, this.domain);
    await usableDomain(this.dir, domain.id, [this.deptId]);
    this.requester = await this.dir.person(`req@${this.domain}`, 'requester', this.deptId);
    this.rao = await this.dir.person(`rao@${this.domain}`, 'rao', org.id);
    return this;
  }

  get sim(): SimulatedCa {
    return this.t.get(CaConnection).simulator!;
  }

  // A CSR for a fresh name under the fixture's domain.
  csr(): string {
    return csrFor([`host${++this.seq}.${this.domain}`]);
  }

  // A request, approved through the lifecycle (approval pages are issue 10).
  async approved(csr = this.csr()): Promise<number> {
    const { id } = await submitRequest(this.t, this.requester.token, this.deptId, csr);
    await this.approve(id);
    return id;
  }

  approve(id: number) {
    return this.t.get(RequestLifecycle).transition(systemActing('test'), id, 'approve');
  }

  // A request taken all the way to a stored certificate.
  async issued(csr = this.csr()): Promise<{ requestId: number; certificateId: number }> {
    const requestId = await this.approved(csr);
    await this.settle(3);
    const certificate = await this.t
      .get(Transactions)
      .manager.findOneByOrFail(Certificate, { requestId });
    return { requestId, certificateId: certificate.id };
  }

  certificate(id: number): Promise<Certificate> {
    return this.t.get(Transactions).manager.findOneByOrFail(Certificate, { id });
  }

  async status(id: number): Promise<string> {
    return (await this.t.get(Transactions).manager.findOneByOrFail(CertificateRequest, { id }))
      .status;
  }

  async order(id: number): Promise<CaOrder> {
    return this.t.get(Transactions).manager.findOneByOrFail(CaOrder, { requestId: id });
  }

  order$ = () => this.t.get(OrderingService).run(this.t.clock.now());
  collect$ = () => this.t.get(CollectingService).run(this.t.clock.now());

  // Runs both jobs, a simulated hour apart, until nothing moves any more.
  async settle(rounds = 8): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      await this.order$();
      await this.collect$();
      this.t.clock.advance(3600_000);
    }
  }
}
