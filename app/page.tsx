export default function Home() {
  return <h1>cronbound</h1>;
}
