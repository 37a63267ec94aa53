// expect: pass
import java.net.*;
import java.util.*;
public class Main {
  public static void main(String[] args) throws Exception {
    int leaks = 0;
    for (String h : new String[] {"1.1.1.1", "172.17.0.1"}) {
      try (Socket s = new Socket()) { s.connect(new InetSocketAddress(h, 53), 500); leaks++; } catch (Exception e) { }
    }
    try { InetAddress.getByName("example.com"); leaks++; } catch (Exception e) { }
    Scanner in = new Scanner(System.in);
    long a = in.nextLong(), b = in.nextLong();
    System.out.println(leaks > 0 ? "LEAK " + leaks : String.valueOf(a + b));
  }
}
