import { describe, expect, it } from 'vitest'
import { parseClusterNodes } from '../../src/redis/local-cluster.js'

const REPLY = [
  'a1 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460 9438',
  'b2 127.0.0.1:7002@17002 master - 0 1 2 connected 5461-9437 9439-10922 [10923->-c3]',
  'c3 127.0.0.1:7003@17003 master,fail? - 0 1 3 connected 10923-16383',
  'd4 127.0.0.1:7004@17004 slave a1 0 1 1 connected',
].join('\n')

describe('a CLUSTER NODES reply', () => {
  it('gives each node its address, flags and the slots it serves, a slot being moved left out', () => {
    expect(parseClusterNodes(REPLY)).toEqual([
      {
        host: '127.0.0.1',
        port: 7001,
        flags: ['myself', 'master'],
        slots: [
          [0, 5460],
          [9438, 9438],
        ],
      },
      {
        host: '127.0.0.1',
        port: 7002,
        flags: ['master'],
        slots: [
          [5461, 9437],
          [9439, 10922],
        ],
      },
      { host: '127.0.0.1', port: 7003, flags: ['master', 'fail?'], slots: [[10923, 16383]] },
      { host: '127.0.0.1', port: 7004, flags: ['slave'], slots: [] },
    ])
  })
})
