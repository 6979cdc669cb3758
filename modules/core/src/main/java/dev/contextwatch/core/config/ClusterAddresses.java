package dev.contextwatch.core.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The checks of the cluster keys that need more than a range: this node's address and the members' {@code host:port}. */
final class ClusterAddresses {
  private static final Pattern MEMBER = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]]+):(\\d{1,5})");

  private ClusterAddresses() {}

  /**
   * The address other members reach this node at: the given one when it is an address of this
   * machine, or with none given the first non-loopback IPv4 address (127.0.0.1 on a machine without).
   * The problem, in an operator's terms, when it cannot be used.
   */
  static String localHost(String given) {
    if (given.isEmpty()) {
      return firstNonLoopback();
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(given);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve '" + given + "' to an address of this machine");
    }
    if (address.isAnyLocalAddress()) {
      throw new IllegalArgumentException("'" + given + "' is a wildcard that other members cannot reach; give this node's own address");
    }
    if (!address.isLoopbackAddress() && !onThisMachine(address)) {
      throw new IllegalArgumentException("'" + given + "' (" + address.getHostAddress() + ") is not an address of this machine");
    }
    return given;
  }

  /** The members' {@code host:port}, comma-separated; blanks around them and empty entries are ignored. */
  static List<String> members(String given) {
    return java.util.Arrays.stream(given.split(",")).map(String::trim).filter(m -> !m.isEmpty()).map(ClusterAddresses::member).toList();
  }

  private static String member(String member) {
    Matcher matcher = MEMBER.matcher(member);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("expected host:port, comma-separated (e.g. \"10.0.0.5:5701,10.0.0.6:5701\"), got '" + member + "'");
    }
    int port = Integer.parseInt(matcher.group(2));
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("the port of '" + member + "' must be between 1 and 65535");
    }
    return member;
  }

  private static boolean onThisMachine(InetAddress address) {
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  private static String firstNonLoopback() {
    try {
      for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (network.isUp() && !network.isLoopback()) {
          for (InetAddress address : Collections.list(network.getInetAddresses())) {
            if (address instanceof Inet4Address) {
              return address.getHostAddress();
            }
          }
        }
      }
    } catch (SocketException e) {
      // no interface can be listed: this machine alone, on loopback
    }
    return "127.0.0.1";
  }
}
