// expect: pass
import java.io.*;
import java.util.*;
public class Main {
  public static void main(String[] args) throws Exception {
    byte[] b = new byte[1 << 20];
    try (FileOutputStream f = new FileOutputStream("/tmp/fill")) { while (true) { f.write(b); f.flush(); } } catch (IOException e) { }
    Scanner in = new Scanner(System.in);
    long a = in.nextLong(), c = in.nextLong();
    System.out.println(a + c);
  }
}
