/**
 * The Santa Claus entities as cloud-thread tasks: each carries its role, the run's key prefix and
 * the configuration, and plays its part on DSO objects. Kept free of top-level side effects:
 * workers import this module to rebuild the task.
 */
import { Serializable } from 'crucial';
import { dsoKit } from './sync.ts';
import { elf, reindeer, santa, type SantaConfig, type SantaReport } from './entities.ts';

@Serializable()
export class SantaEntity {
  constructor(public role: 'santa' | 'elf' | 'reindeer', public id: number, public prefix: string, public cfg: SantaConfig) {}

  async call(): Promise<SantaReport | null> {
    const kit = dsoKit(this.prefix);
    if (this.role === 'santa') return santa(kit, this.cfg);
    if (this.role === 'elf') await elf(kit, this.cfg);
    else await reindeer(kit, this.cfg);
    return null;
  }
}
