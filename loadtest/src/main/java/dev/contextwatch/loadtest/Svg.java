package dev.contextwatch.loadtest;

import java.util.List;
import java.util.Locale;

/** Two small inline SVG charts: lines over time and a bar histogram. No scripts, no external files. */
final class Svg {
  private static final int WIDTH = 960;
  private static final int HEIGHT = 280;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 30;
  private static final int BOTTOM = 40;

  record Series(String name, String color, double[] values) {}

  record Bar(String label, long count) {}

  private Svg() {}

  static String lines(String title, String unit, double[] x, List<Series> series) {
    StringBuilder svg = open(title);
    if (x.length == 0) {
      return svg.append("</svg>").toString();
    }
    // a warm-up's seconds come before 0, where measuring starts
    double minX = Math.min(0, x[0]);
    double maxX = Math.max(minX + 1, x[x.length - 1]);
    double maxY = 0;
    for (Series s : series) {
      for (double v : s.values()) {
        maxY = Math.max(maxY, v);
      }
    }
    maxY = nice(maxY);
    axes(svg, maxY, unit);
    for (int i = 0; i <= 5; i++) {
      double seconds = minX + (maxX - minX) * i / 5;
      svg.append(text(LEFT + plotWidth() * i / 5.0, HEIGHT - BOTTOM + 16, "middle", f("%.0f s", seconds)));
    }
    if (minX < 0) {
      double zero = xOf(0, minX, maxX);
      svg.append(f("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#777\" stroke-dasharray=\"4 3\"/>", zero, TOP,
          zero, HEIGHT - BOTTOM)).append(text(zero + 4, TOP + 12, "start", "measuring starts (warm-up before)"));
    }
    int legendX = LEFT + 10;
    for (Series s : series) {
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < x.length && i < s.values().length; i++) {
        points.append(f("%.1f,%.1f ", xOf(x[i], minX, maxX), y(s.values()[i], maxY)));
      }
      svg.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(s.color()).append("\" points=\"")
          .append(points).append("\"/>");
      svg.append(f("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>", legendX, TOP - 12, s.color()))
          .append(text(legendX + 16, TOP - 8, "start", s.name()));
      legendX += 30 + s.name().length() * 7;
    }
    return svg.append("</svg>").toString();
  }

  static String histogram(String title, List<Bar> bars) {
    StringBuilder svg = open(title);
    if (bars.isEmpty()) {
      return svg.append("</svg>").toString();
    }
    double maxY = nice(bars.stream().mapToLong(Bar::count).max().orElse(1));
    axes(svg, maxY, "count");
    double width = plotWidth() / (double) bars.size();
    for (int i = 0; i < bars.size(); i++) {
      Bar bar = bars.get(i);
      double top = y(bar.count(), maxY);
      svg.append(f("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#1f77b4\"><title>%s: %d</title></rect>",
          LEFT + i * width + 1, top, Math.max(1, width - 2), HEIGHT - BOTTOM - top, Report.escape(bar.label()), bar.count()));
      svg.append(text(LEFT + i * width + width / 2, HEIGHT - BOTTOM + 16, "middle", bar.label()));
    }
    return svg.append("</svg>").toString();
  }

  private static StringBuilder open(String title) {
    return new StringBuilder(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
        WIDTH, HEIGHT, WIDTH, HEIGHT)).append(text(LEFT, 14, "start", title));
  }

  private static void axes(StringBuilder svg, double maxY, String unit) {
    for (int i = 0; i <= 4; i++) {
      double value = maxY * i / 4;
      double y = y(value, maxY);
      svg.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>", LEFT, y, WIDTH - RIGHT, y))
          .append(text(LEFT - 6, y + 4, "end", value >= 100 ? f("%,.0f", value) : f("%.1f", value)));
    }
    svg.append(f("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM))
        .append(f("<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>",
            TOP + (HEIGHT - TOP - BOTTOM) / 2.0, Report.escape(unit)));
  }

  private static int plotWidth() {
    return WIDTH - LEFT - RIGHT;
  }

  private static double xOf(double value, double minX, double maxX) {
    return LEFT + plotWidth() * (value - minX) / (maxX - minX);
  }

  private static double y(double value, double maxY) {
    return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * Math.min(value, maxY) / maxY;
  }

  /** The next round number at or above {@code value}. */
  private static double nice(double value) {
    if (value <= 0) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= value) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String text(double x, double y, String anchor, String content) {
    return f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>", x, y, anchor, Report.escape(content));
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
