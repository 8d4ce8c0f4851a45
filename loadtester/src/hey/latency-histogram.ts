/**
 * A fixed-size log-linear latency histogram (the HdrHistogram idea, simplified): memory stays constant
 * however long a load test runs, and percentiles are within about 1.6 % of the true value.
 *
 * Values are whole microseconds. Below 128 µs each value has its own bucket; above, every power of two is
 * split into 64 buckets. Worked example: 1 000 µs has its top bit at 2^9, so it falls in sub-bucket
 * (1000 >> 3) & 63 = 61 of octave 9 - 7 = 2, i.e. bucket 128 + 2 × 64 + 61 = 317, which holds 1 000–1 007 µs.
 */
const linearBuckets = 128;
const subBuckets = 64;
const subBits = 6;
/** 2^31 µs ≈ 36 minutes: longer latencies are clamped into the last bucket. */
const maxOctave = 31;
const bucketCount = linearBuckets + (maxOctave - 7 + 1) * subBuckets;

/** Counts latencies into buckets and answers percentile queries. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(bucketCount);
  private total = 0;
  private sumUs = 0;
  private maxUs = 0;

  /** Adds one latency, in milliseconds. */
  record(latencyMs: number): void {
    const us = Math.max(0, Math.round(latencyMs * 1000));
    const index = bucketIndex(us);
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total++;
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** How many latencies were recorded. */
  get count(): number {
    return this.total;
  }

  /** Mean latency in milliseconds (0 when empty). */
  meanMs(): number {
    return this.total === 0 ? 0 : this.sumUs / this.total / 1000;
  }

  /** Largest latency in milliseconds (0 when empty). */
  maxMs(): number {
    return this.maxUs / 1000;
  }

  /**
   * The latency in milliseconds below which `p` percent of the recorded ones fall (0 when empty): the
   * middle of the bucket holding the rank ⌈p/100 × count⌉, capped at the largest value seen.
   */
  percentileMs(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let index = 0; index < bucketCount; index++) {
      seen += this.counts[index] ?? 0;
      // The last bucket gathers everything clamped into it: only the recorded maximum describes it.
      if (seen >= rank) return (index === bucketCount - 1 ? this.maxUs : Math.min(bucketMiddleUs(index), this.maxUs)) / 1000;
    }
    return this.maxUs / 1000;
  }
}

function bucketIndex(us: number): number {
  if (us < linearBuckets) return us;
  if (us >= 2 ** maxOctave) return bucketCount - 1;
  const octave = 31 - Math.clz32(us);
  const sub = Math.floor(us / 2 ** (octave - subBits)) & (subBuckets - 1);
  return linearBuckets + (octave - 7) * subBuckets + sub;
}

function bucketMiddleUs(index: number): number {
  if (index < linearBuckets) return index;
  const octave = Math.floor((index - linearBuckets) / subBuckets) + 7;
  const sub = (index - linearBuckets) % subBuckets;
  const width = 2 ** (octave - subBits);
  return (subBuckets + sub) * width + (width - 1) / 2;
}
