// expect: fail wrong_answer
public class Main {
  public static void main(String[] args) { Runtime.getRuntime().halt(0); }
}
