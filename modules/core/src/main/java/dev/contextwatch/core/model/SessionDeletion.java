package dev.contextwatch.core.model;

import java.util.List;

/**
 * A request to forget some sessions entirely (a project's or a run's, deleted through the API),
 * sent to each owner of their rows or state: persistence, the checkpoint verticle and the
 * processor each delete what is theirs and answer {@link DeletedRows}.
 */
public record SessionDeletion(List<String> sessionIds) {
  public SessionDeletion {
    sessionIds = List.copyOf(sessionIds);
  }
}
