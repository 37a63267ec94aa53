// expect: fail timeout|runtime_error
// Spinning threads until the pids limit refuses more.
public class Main {
  public static void main(String[] args) {
    while (true) {
      Thread t = new Thread(() -> { long x = 0; while (true) x++; });
      t.setDaemon(false);
      t.start();
    }
  }
}
