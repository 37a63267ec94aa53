// expect: fail timeout|runtime_error
// Starts shells that each start more.
public class Main {
  public static void main(String[] args) throws Exception {
    while (true) {
      try { new ProcessBuilder("sh", "-c", "while :; do sh -c 'sleep 100' & done").start(); } catch (Exception e) { }
    }
  }
}
