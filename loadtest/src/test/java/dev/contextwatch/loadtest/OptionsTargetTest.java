package dev.contextwatch.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class OptionsTargetTest {
  @Test
  @DisplayName("without --embedded, --otlp, --api or --pg-url the pipeline runs in a JVM of its own")
  void spawnedByDefault() {
    assertThat(Options.parse("--sessions", "10").target).isEqualTo(Options.TargetKind.SPAWNED);
    assertThat(Options.parse("--ceiling").target).isEqualTo(Options.TargetKind.SPAWNED);
    assertThat(Options.parse("--embedded").target).isEqualTo(Options.TargetKind.EMBEDDED);
    assertThat(Options.parse("--otlp", "http://127.0.0.1:4318").target).isEqualTo(Options.TargetKind.RUNNING);
    assertThat(Options.parse("--api", "http://127.0.0.1:8080").target).isEqualTo(Options.TargetKind.RUNNING);
    assertThat(Options.parse("--sessions", "10").arguments).containsExactly("--sessions", "10");
  }

  @Test
  @DisplayName("--embedded with a running pipeline's address, and --ceiling against a running pipeline without --pg-url, are refused")
  void contradictions() {
    assertThatThrownBy(() -> Options.parse("--embedded", "--otlp", "http://127.0.0.1:4318"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--embedded starts its own pipeline");
    assertThatThrownBy(() -> Options.parse("--otlp", "http://127.0.0.1:4318", "--ceiling"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("needs --pg-url");
  }

  @Test
  @DisplayName("--pipeline-jvm-opts is split on spaces")
  void jvmOptions() {
    assertThat(SpawnedTarget.jvmOptions("  -XX:+UseZGC   -Xmx1g ")).containsExactly("-XX:+UseZGC", "-Xmx1g");
    assertThat(SpawnedTarget.jvmOptions("")).isEmpty();
  }
}
