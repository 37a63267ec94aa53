// expect: fail memory_limit|runtime_error
import java.util.*;
public class Main {
  public static void main(String[] args) {
    List<long[]> v = new ArrayList<>();
    while (true) v.add(new long[1 << 24]);
  }
}
