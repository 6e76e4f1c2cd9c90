package io.vidlabel.kafka;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Puts every RocksDB store of the process under one memory budget.
 *
 * <p>By default each Kafka Streams store (one per store and partition: here 2 stores x the input
 * partitions) gets its own 50 MB block cache and up to three 16 MB memtables, so native memory
 * grows with the partition count and keeps climbing for as long as the memtables fill, which for
 * the small, frequent writes of the latest-labels and recent-classifications stores takes the best
 * part of an hour. Here all stores share one LRU cache of {@link #TOTAL_BYTES_CONFIG} bytes, and
 * their memtables are charged to that same cache (a write buffer manager holding a quarter of it),
 * index and filter blocks included. Reads of these stores are the REST queries of the latest labels:
 * a small cache serves them.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

  /** Streams property: bytes all stores of this process may use together (cache and memtables). */
  public static final String TOTAL_BYTES_CONFIG = "vidlabel.rocksdb.total-bytes";
  /** Share of the total that memtables may take. */
  static final double WRITE_BUFFER_SHARE = 0.25;
  /** Smaller memtables than RocksDB's 64 MB (Kafka Streams sets 16 MB): these stores hold little. */
  static final long WRITE_BUFFER_BYTES = 4L << 20;

  private static Shared shared; // guarded by BoundedRocksDbMemory.class

  /** The cache and write buffer manager, created once per process with the first store's budget. */
  private record Shared(long totalBytes, Cache cache, WriteBufferManager writeBuffers) {}

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    Shared s = shared(totalBytes(configs));
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(s.cache());
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setTableFormatConfig(table);
    options.setWriteBufferManager(s.writeBuffers());
    options.setWriteBufferSize(Math.min(WRITE_BUFFER_BYTES, (long) (s.totalBytes() * WRITE_BUFFER_SHARE)));
    options.setMaxWriteBufferNumber(2);
  }

  /** The shared cache outlives every single store; it is freed with the process. */
  @Override
  public void close(String storeName, Options options) {}

  private static synchronized Shared shared(long totalBytes) {
    if (shared == null) {
      Cache cache = new LRUCache(totalBytes, -1, false, 0.1);
      WriteBufferManager writeBuffers =
          new WriteBufferManager((long) (totalBytes * WRITE_BUFFER_SHARE), cache);
      shared = new Shared(totalBytes, cache, writeBuffers);
    }
    return shared;
  }

  static long totalBytes(Map<String, Object> configs) {
    Object value = configs.get(TOTAL_BYTES_CONFIG);
    if (value == null) {
      throw new IllegalStateException(TOTAL_BYTES_CONFIG + " is not set");
    }
    long bytes = Long.parseLong(value.toString().trim());
    if (bytes < (1 << 20)) {
      throw new IllegalArgumentException(TOTAL_BYTES_CONFIG + " must be at least 1 MiB, got " + bytes);
    }
    return bytes;
  }
}
