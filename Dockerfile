# Multi-stage build: Maven on a JDK 17 image builds the jars; a JRE 17 image runs them as a
# non-root user. Build and run with `docker compose up` (see docker-compose.yml).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY .mvn .mvn
COPY config config
COPY modules modules
COPY loadtest loadtest
RUN mvn -q -B package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --create-home --home-dir /app contextwatch
WORKDIR /app
COPY --from=build /src/modules/app/target/contextwatch.jar /app/contextwatch.jar
COPY --from=build /src/loadtest/target/contextwatch-loadtest.jar /app/contextwatch-loadtest.jar
COPY config/contextwatch.json /app/config/contextwatch.json
USER contextwatch
# 5701: Hazelcast's member port in cluster mode (clusterPort, docs/cluster.md); the event bus between nodes takes a port picked at start
EXPOSE 4317 4318 8080 5701
HEALTHCHECK --interval=10s --timeout=5s --start-period=40s --retries=3 \
  CMD ["java", "-cp", "/app/contextwatch.jar", "dev.contextwatch.app.HealthCheck", "http://127.0.0.1:8080/ready"]
# the launcher's collector (docs/performance.md, "Issue 17: the load test's own JVM, collectors"); the heap is a share of the container's memory
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+UseZGC", "-jar", "/app/contextwatch.jar"]
