package dev.contextwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contextwatch.core.db.ReadModels;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every refusal is JSON {"error", "message"} with the right status and a message naming what is wrong. */
@ExtendWith(VertxExtension.class)
class ApiErrorsTest {
  private ApiHarness api;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    api = ApiHarness.start(vertx);
    api.session("known").insert();
  }

  @Test
  @DisplayName("an unknown status is a 400 naming the parameter and the four statuses")
  void badStatus() throws Exception {
    JsonObject error = expect(400, "bad_parameter", "/api/v1/sessions?status=active,sleeping");
    assertThat(error.getString("message")).contains("'status'").contains("'sleeping'")
        .contains("active, idle, stale, closed");
    expect(400, "bad_parameter", "/api/v1/sessions?status=");
  }

  @Test
  @DisplayName("an unknown sort is a 400 naming the parameter and the three orders")
  void badSort() throws Exception {
    JsonObject error = expect(400, "bad_parameter", "/api/v1/sessions?sort=price");
    assertThat(error.getString("message")).contains("'sort'").contains("'price'").contains("risk, activity, cost");
  }

  @Test
  @DisplayName("a limit that is not an integer from 1 to 500 is a 400 naming the parameter and the range")
  void badLimit() throws Exception {
    for (String limit : new String[] {"0", "501", "ten", "", "-1", "1.5"}) {
      JsonObject error = expect(400, "bad_parameter", "/api/v1/sessions?limit=" + limit);
      assertThat(error.getString("message")).as(limit).contains("'limit'").contains("from 1 to 500");
    }
    JsonObject events = expect(400, "bad_parameter", "/api/v1/sessions/known/events?limit=1001");
    assertThat(events.getString("message")).contains("'limit'").contains("from 1 to 1000");
  }

  @Test
  @DisplayName("a negative or non-numeric offset is a 400 naming the parameter")
  void badOffset() throws Exception {
    for (String offset : new String[] {"-1", "first"}) {
      JsonObject error = expect(400, "bad_parameter", "/api/v1/sessions?offset=" + offset);
      assertThat(error.getString("message")).as(offset).contains("'offset'").contains(">= 0");
    }
    expect(400, "bad_parameter", "/api/v1/sessions/known/events?offset=-5");
  }

  @Test
  @DisplayName("a since that is not an ISO-8601 instant is a 400 naming the parameter and an example")
  void badSince() throws Exception {
    for (String since : new String[] {"yesterday", "2026-01-31", "1769860800"}) {
      JsonObject error = expect(400, "bad_parameter", "/api/v1/sessions?since=" + since);
      assertThat(error.getString("message")).as(since).contains("'since'").contains("ISO-8601").contains(since);
    }
  }

  @Test
  @DisplayName("an unknown session is a 404 naming it, for its detail and for its events")
  void unknownSession() throws Exception {
    assertThat(expect(404, "not_found", "/api/v1/sessions/ghost").getString("message")).contains("'ghost'");
    assertThat(expect(404, "not_found", "/api/v1/sessions/ghost/events").getString("message")).contains("'ghost'");
  }

  @Test
  @DisplayName("an unknown run is a 404 naming it")
  void unknownRun() throws Exception {
    assertThat(expect(404, "not_found", "/api/v1/runs/run-x").getString("message")).contains("'run-x'");
  }

  @Test
  @DisplayName("an unknown path is a JSON 404 naming the path")
  void unknownPath() throws Exception {
    assertThat(expect(404, "not_found", "/api/v2/sessions").getString("message")).contains("/api/v2/sessions");
    // "/" is the dashboard; an unknown file beside it is a JSON 404 like any unknown path
    expect(404, "not_found", "/no-such-page.html");
  }

  @Test
  @DisplayName("a wrong method is a JSON 405 with the Allow header")
  void wrongMethod() throws Exception {
    ApiHarness.Response delete = api.send(HttpMethod.DELETE, "/api/v1/sessions/known");
    assertThat(delete.status()).isEqualTo(405);
    assertThat(delete.headers().get("Allow")).isEqualTo("GET");
    assertThat(delete.json().getString("error")).isEqualTo("method_not_allowed");
    assertThat(delete.json().getString("message")).contains("DELETE").contains("/api/v1/sessions/known");

    ApiHarness.Response get = api.get("/api/v1/sessions/known/close");
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.headers().get("Allow")).isEqualTo("POST");
    assertThat(api.post("/api/v1/sessions").status()).isEqualTo(405);
  }

  @Test
  @DisplayName("a path or query string that is not valid %-encoding is a JSON 400 saying so, without the server's internal text")
  void malformedEncoding() throws Exception {
    for (String uri : new String[] {"/api/v1/sessions?status=%zz", "/api/v1/sessions?limit=%", "/api/v1/sessions/%",
        "/api/v1/sessions/%zz/events"}) {
      JsonObject error = expect(400, "bad_request", uri);
      assertThat(error.getString("message")).as(uri).contains("%-encoding").doesNotContain("Bad Request")
          .doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Z]\\w+");
    }
  }

  @Test
  @DisplayName("a NUL character in an id or a filter is a 400 naming it, not a 500 from the database")
  void nulCharacter() throws Exception {
    for (String uri : new String[] {"/api/v1/sessions/%00", "/api/v1/sessions?project=a%00b", "/api/v1/checkpoints?session=%00",
        "/api/v1/runs/x%00/", "/api/v1/sessions/known%00/events"}) {
      assertThat(expect(400, "bad_request", uri).getString("message")).as(uri).contains("NUL");
    }
  }

  @Test
  @DisplayName("a failure the API does not expect is a 500 internal that names the request, not the SQL")
  void internal() throws Exception {
    api.sql("DROP VIEW " + ReadModels.CONTEXT_SAMPLES);
    JsonObject error = expect(500, "internal", "/api/v1/sessions/known");
    assertThat(error.getString("message")).contains("GET /api/v1/sessions/known").doesNotContain("context_samples");
  }

  private JsonObject expect(int status, String code, String uri) throws Exception {
    ApiHarness.Response response = api.get(uri);
    assertThat(response.status()).as(uri + " " + response.body()).isEqualTo(status);
    assertThat(response.headers().get("Content-Type")).isEqualTo("application/json");
    JsonObject error = response.json();
    assertThat(error.fieldNames()).containsExactlyInAnyOrder("error", "message");
    assertThat(error.getString("error")).isEqualTo(code);
    return error;
  }
}
