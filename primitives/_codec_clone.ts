// Gives the codec (`_codec.ts`) node:v8's classes, for every item that is
// not plain data. Imported by every user of the codec, but a ProcessPool's
// child, which imports it only when an item first needs it.

import { Deserializer, Serializer } from "node:v8";
import { useV8 } from "./_codec.ts";

useV8({ Serializer, Deserializer });
