package io.vidlabel.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedRocksDbMemoryTest {

  static {
    RocksDB.loadLibrary();
  }

  @Test
  void everyStoreGetsTheSameCacheAndSmallMemtables() {
    BoundedRocksDbMemory setter = new BoundedRocksDbMemory();
    Map<String, Object> configs = Map.of(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, "67108864");
    try (Options first = new Options(); Options second = new Options()) {
      first.setTableFormatConfig(new BlockBasedTableConfig());
      second.setTableFormatConfig(new BlockBasedTableConfig());

      setter.setConfig("latest-labels", first, configs);
      setter.setConfig("recent-classifications", second, configs);

      assertThat(first.writeBufferSize()).isEqualTo(BoundedRocksDbMemory.WRITE_BUFFER_BYTES);
      assertThat(first.maxWriteBufferNumber()).isEqualTo(2);
      assertThat(((BlockBasedTableConfig) first.tableFormatConfig()).cacheIndexAndFilterBlocks()).isTrue();
      assertThat(((BlockBasedTableConfig) second.tableFormatConfig()).cacheIndexAndFilterBlocks()).isTrue();
    }
  }

  @Test
  void refusesAMissingOrTinyBudget() {
    assertThatThrownBy(() -> BoundedRocksDbMemory.totalBytes(Map.of()))
        .hasMessageContaining(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG);
    assertThatThrownBy(() -> BoundedRocksDbMemory.totalBytes(Map.of(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, "1000")))
        .hasMessageContaining("at least 1 MiB");
  }
}
