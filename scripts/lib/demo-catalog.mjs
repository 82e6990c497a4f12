/** Static material for the demo store "Juniper & Pine": its catalog, its pages, and where its customers live. */

export const SITE = "https://juniperandpine.example";

export const STORE = {
  name: "Juniper & Pine",
  address: "18 Harbour Street, Portland, ME 04101, USA",
  website: SITE,
  logoUrl: "",
  brandColor: "#2f6f4f",
  timezone: "America/New_York",
  currency: "USD",
};

export const SENDER = { fromName: "Juniper & Pine", fromEmail: "hello@juniperandpine.example", replyTo: "" };

export const TOPICS = [
  { key: "newsletter", name: "Newsletter", description: "Stories, seasonal guides and offers, about twice a month.", kind: "marketing", doubleOptIn: 1 },
  { key: "product-updates", name: "New arrivals", description: "A note when new pieces land in the shop.", kind: "marketing", doubleOptIn: 1 },
  { key: "order-updates", name: "Order updates", description: "Receipts, shipping and delivery notices.", kind: "transactional", doubleOptIn: 0 },
];

export const CONSENT = {
  newsletter: "Yes, send me news and offers from Juniper & Pine.",
  "product-updates": "Yes, email me when new pieces arrive at Juniper & Pine.",
};

export const CATEGORIES = ["Kitchen", "Tableware", "Home", "Bath", "Outdoor", "Garden"];

const HOUSE = "Juniper & Pine";

// [name, price, category, brand]
const ITEMS = [
  ["Cast Iron Skillet, 10 in", 54, "Kitchen", "Northwoods Forge"],
  ["Enamel Dutch Oven, 5.5 qt", 148, "Kitchen", "Northwoods Forge"],
  ["Walnut End-Grain Cutting Board", 68, "Kitchen", HOUSE],
  ["Olive Wood Spoon Set", 24, "Kitchen", HOUSE],
  ["Stonewashed Linen Apron", 38, "Kitchen", "Saltmarsh Linen"],
  ["Pour-Over Coffee Set", 46, "Kitchen", "Harbour Ceramics"],
  ["Stoneware Mixing Bowls, Set of 3", 72, "Kitchen", "Harbour Ceramics"],
  ["Copper Measuring Cups", 32, "Kitchen", HOUSE],
  ["Beeswax Food Wraps, 3-Pack", 18, "Kitchen", HOUSE],
  ["Carbon Steel Chef's Knife, 8 in", 96, "Kitchen", "Northwoods Forge"],
  ["Marble Mortar & Pestle", 42, "Kitchen", HOUSE],
  ["Glass Pantry Jars, Set of 4", 36, "Kitchen", HOUSE],
  ["Hand-Thrown Stoneware Mug", 28, "Tableware", "Harbour Ceramics"],
  ["Speckled Dinner Plates, Set of 4", 84, "Tableware", "Harbour Ceramics"],
  ["Linen Napkins, Set of 4", 34, "Tableware", "Saltmarsh Linen"],
  ["Hammered Copper Tumblers, Pair", 44, "Tableware", HOUSE],
  ["Recycled Glass Carafe", 30, "Tableware", HOUSE],
  ["Acacia Serving Board", 52, "Tableware", HOUSE],
  ["Ceramic Pasta Bowls, Pair", 46, "Tableware", "Harbour Ceramics"],
  ["Oyster Shell Salt Cellar", 16, "Tableware", HOUSE],
  ["Balsam & Cedar Soy Candle", 26, "Home", "Casco Bay Candle Co."],
  ["Sea Salt & Juniper Soy Candle", 26, "Home", "Casco Bay Candle Co."],
  ["Merino Wool Throw", 128, "Home", "Saltmarsh Linen"],
  ["Rattan Storage Basket", 58, "Home", HOUSE],
  ["Linen Pillow Cover, 20 in", 42, "Home", "Saltmarsh Linen"],
  ["Brass Taper Candle Holders, Pair", 48, "Home", HOUSE],
  ["Driftwood Wall Hook", 22, "Home", HOUSE],
  ["Handwoven Jute Rug, 4 x 6 ft", 178, "Home", HOUSE],
  ["Turkish Cotton Bath Towel", 38, "Bath", "Saltmarsh Linen"],
  ["Waffle Weave Robe", 92, "Bath", "Saltmarsh Linen"],
  ["Pine Tar Soap Bar", 9, "Bath", HOUSE],
  ["Cedar Bath Caddy", 64, "Bath", HOUSE],
  ["Hinoki Bath Salts", 22, "Bath", HOUSE],
  ["Enamel Camp Mug", 18, "Outdoor", "Alder Outfitters"],
  ["Waxed Canvas Tote", 78, "Outdoor", "Alder Outfitters"],
  ["Merino Wool Beanie", 34, "Outdoor", "Alder Outfitters"],
  ["Insulated Steel Bottle, 24 oz", 32, "Outdoor", "Alder Outfitters"],
  ["Wool Camp Blanket", 118, "Outdoor", "Alder Outfitters"],
  ["Folding Camp Stool", 56, "Outdoor", "Alder Outfitters"],
  ["Rechargeable Camp Lantern", 48, "Outdoor", "Alder Outfitters"],
  ["Cast Iron Camp Griddle", 62, "Outdoor", "Northwoods Forge"],
  ["Cotton Rope Hammock", 84, "Outdoor", HOUSE],
  ["Copper Watering Can", 68, "Garden", "Greenfield Tools"],
  ["Ash Handle Garden Trowel", 24, "Garden", "Greenfield Tools"],
  ["Heirloom Seed Collection", 16, "Garden", HOUSE],
  ["Waxed Canvas Garden Apron", 46, "Garden", "Greenfield Tools"],
  ["Terracotta Planter Set", 38, "Garden", HOUSE],
  ["Cedar Bird Feeder", 42, "Garden", HOUSE],
  ["Forged Pruning Shears", 39, "Garden", "Greenfield Tools"],
  ["Cork Kneeling Pad", 8, "Garden", "Greenfield Tools"],
];

const CATEGORY_CODES = { Kitchen: "KIT", Tableware: "TAB", Home: "HOM", Bath: "BTH", Outdoor: "OUT", Garden: "GDN" };

export const slugify = (text) =>
  text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

export const PRODUCTS = ITEMS.map(([name, price, category, brand], i) => {
  const slug = slugify(name);
  return {
    id: `jp-${1001 + i}`,
    sku: `JP-${CATEGORY_CODES[category]}-${String(101 + i).padStart(3, "0")}`,
    name,
    price,
    currency: "USD",
    category,
    brand,
    slug,
    url: `${SITE}/products/${slug}`,
    imageUrl: `${SITE}/images/${slug}.jpg`,
  };
});

export const PAGES = {
  home: { name: "Home", path: "/", title: "Juniper & Pine | Goods for a slower home" },
  all: { name: "Shop All", path: "/collections/all", title: "Shop All | Juniper & Pine" },
  about: { name: "Our Story", path: "/pages/about", title: "Our Story | Juniper & Pine" },
  cart: { name: "Cart", path: "/cart", title: "Your Cart | Juniper & Pine" },
  search: { name: "Search", path: "/search", title: "Search | Juniper & Pine" },
};

export const JOURNAL = [
  ["Seasoning cast iron the simple way", "seasoning-cast-iron"],
  ["A slow Sunday table", "a-slow-sunday-table"],
  ["Packing list for a weekend on the coast", "weekend-on-the-coast"],
  ["Starting seeds on a windowsill", "starting-seeds-indoors"],
  ["Caring for linen", "caring-for-linen"],
  ["Five candles for the shoulder season", "shoulder-season-candles"],
];

export const SEARCHES = ["mug", "candle", "dutch oven", "gift", "linen", "blanket", "knife", "planter", "towel", "camp"];

export const CONSENT_PAGES = [
  [`${SITE}/`, 40],
  [`${SITE}/pages/newsletter`, 15],
  [`${SITE}/collections/all`, 12],
  [`${SITE}/journal/seasoning-cast-iron`, 8],
  [`${SITE}/checkout`, 15],
  [`${SITE}/products/merino-wool-throw`, 5],
  [`${SITE}/products/balsam-and-cedar-soy-candle`, 5],
];

export const REFERRERS = [
  [null, 30],
  ["https://www.google.com/", 30],
  ["https://l.instagram.com/", 11],
  ["https://www.pinterest.com/", 8],
  ["https://www.facebook.com/", 5],
  ["https://duckduckgo.com/", 3],
  ["email", 13],
];

export const USER_AGENTS = [
  ["Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1", 34],
  ["Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Mobile Safari/537.36", 16],
  ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15", 16],
  ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36", 22],
  ["Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0", 5],
  ["Mozilla/5.0 (iPad; CPU OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1", 7],
];

/** Documentation address ranges (RFC 5737) only. */
export const IP_PREFIXES = ["192.0.2.", "198.51.100.", "203.0.113."];

export const EMAIL_DOMAINS = [["example.com", 55], ["example.org", 25], ["example.net", 20]];

// ---- people ----------------------------------------------------------------------------------------------

const split = (text) => text.trim().split(/\s*,\s*/);

const NAMES = {
  us: {
    first: split(`Emma, Olivia, Ava, Sophia, Mia, Charlotte, Amelia, Harper, Evelyn, Abigail, Emily, Madison, Chloe, Grace,
      Hannah, Natalie, Zoe, Lily, Aaliyah, Imani, Jasmine, Destiny, Keisha, Maya, Priya, Ananya, Mei, Jia, Hana, Yuna,
      Ximena, Sofia, Valentina, Camila, Lucia, Isabella, Gabriela, Daniela, Fatima, Aisha, Leila, Noor, Sarah, Rachel,
      Rebecca, Leah, Naomi, Ruth, Margaret, Linda, Susan, Patricia, Barbara, Karen, Nancy, Deborah, Megan, Ashley,
      Brittany, Kayla, Tiana, Ebony, Nia, Kiara, Lauren, Julia, Claire, Audrey, Nora, Hazel, Willow, Ivy, Rosa, Carmen,
      Guadalupe, Thuy, Linh, Minh, Soo-ah, Ji-woo, Dakota, Winona, Liam, Noah, Oliver, Elijah, James, William, Benjamin,
      Lucas, Henry, Alexander, Mason, Ethan, Daniel, Jacob, Logan, Jackson, Sebastian, Mateo, Santiago, Diego, Carlos,
      Luis, José, Juan, Miguel, Andre, Darnell, Jamal, DeShawn, Malik, Marcus, Terrence, Tyrone, Kwame, Wei, Jun,
      Hiroshi, Kenji, Min-jun, Ji-ho, Arjun, Rohan, Vikram, Omar, Ahmed, Yusuf, Hassan, David, Michael, Robert, John,
      Richard, Thomas, Christopher, Matthew, Anthony, Mark, Steven, Paul, Andrew, Joshua, Kevin, Brian, George, Ryan,
      Nathan, Aaron, Samuel, Isaac, Caleb, Owen, Wyatt, Levi, Ezra, Theo, Julian, Adrian, Xavier, Quentin, Reggie`),
    last: split(`Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Rodriguez, Martinez, Hernandez, Lopez,
      Gonzalez, Wilson, Anderson, Thomas, Taylor, Moore, Jackson, Martin, Lee, Perez, Thompson, White, Harris, Sanchez,
      Clark, Ramirez, Lewis, Robinson, Walker, Young, Allen, King, Wright, Scott, Torres, Nguyen, Hill, Flores, Green,
      Adams, Nelson, Baker, Hall, Rivera, Campbell, Mitchell, Carter, Roberts, Kim, Patel, Chen, Wang, Singh, Cohen,
      Murphy, O'Brien, Sullivan, Kowalski, Novak, Rossi, Russo, Schmidt, Yamamoto, Tanaka, Park, Choi, Okafor, Mensah,
      Abdi, Haddad, Khoury, Begay, Yazzie, Silva, Santos, Washington, Jefferson, Freeman, Brooks, Coleman, Jenkins,
      Bennett, Hughes, Price, Reyes, Cruz, Morales, Ortiz, Gutierrez, Chavez, Ramos, Vasquez, Castillo, Le, Tran, Pham,
      Huang, Liu, Zhang, Shah, Gupta, Desai, Mehta, Friedman, Goldberg, Larsen, Olson, Lindqvist, MacDonald,
      Fitzgerald, Byrne, Dubois, Nakamura, Alvarez, Mendoza, Dixon, Hayes, Foster, Gray, Ward, Peterson, Sato`),
  },
  uk: {
    first: split(`Oliver, George, Harry, Jack, Amelia, Isla, Poppy, Freya, Ella, Alfie, Arthur, Imogen, Rosie, Callum,
      Fiona, Rhys, Gareth, Sian, Priya, Aisha, Mohammed, Ravi, Charlotte, Emily, Sophie, Lucy, Thomas, William, James,
      Eleanor, Harriet, Ffion, Angus, Hamish, Mairi, Kwabena, Adaeze, Zainab, Imran, Hollie`),
    last: split(`Smith, Jones, Taylor, Brown, Williams, Wilson, Evans, Thomas, Roberts, Walker, Wright, Robinson,
      Thompson, Hughes, Edwards, Green, Hall, Wood, Harris, Clarke, Patel, Khan, Ali, Begum, MacLeod, Campbell, Davies,
      Morgan, Price, Lloyd, Fraser, Murray, Okonkwo, Mensah, Chaudhry, Hussain, Bennett, Turner, Foster, Ellis`),
  },
  ie: {
    first: split(`Seán, Conor, Cian, Oisín, Aoife, Niamh, Saoirse, Ciara, Siobhán, Liam, Fionn, Róisín, Orla, Darragh, Eimear`),
    last: split(`Murphy, Kelly, O'Sullivan, Walsh, O'Brien, Byrne, Ryan, O'Connor, O'Neill, Doyle, McCarthy, Gallagher, Quinn, Nolan`),
  },
  ca: {
    first: split(`Félix, Léa, Émile, Chloé, Gabrielle, Mathis, Olivia, Liam, Noah, Emma, Ethan, Ava, Jacob, Sophie, Harjit,
      Simran, Mei, Kevin, Tessa, Owen, Nathalie, Étienne, Maëlle, Amir`),
    last: split(`Tremblay, Gagnon, Roy, Côté, Bouchard, Gauthier, Morin, Lavoie, Fortin, Gagné, Wong, Li, Singh, Brown,
      Wilson, MacDonald, Campbell, Martin, Leblanc, Bélanger, Dhillon, Grewal, Chan, Thompson`),
  },
  de: {
    first: split(`Lukas, Leon, Finn, Jonas, Felix, Maximilian, Paul, Elias, Hannah, Emilia, Lena, Lea, Mia, Marie, Anna,
      Sophie, Johanna, Katharina, Jürgen, Uwe, Sabine, Petra, Mehmet, Ayşe, Can, Elif, Matthias, Stefanie`),
    last: split(`Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Koch, Bauer,
      Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Braun, Krüger, Hartmann, Yilmaz, Kaya, Nowak, Lange`),
  },
  fr: {
    first: split(`Louis, Gabriel, Arthur, Jules, Hugo, Léo, Lucas, Chloé, Léa, Manon, Camille, Inès, Jade, Louise, Zoé,
      Élodie, Mathieu, Antoine, Amélie, Yasmine, Karim, Mamadou, Clémence, Margaux`),
    last: split(`Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon, Laurent,
      Lefebvre, Michel, Garcia, Fontaine, Rousseau, Girard, Benali, Diallo, Mercier, Faure`),
  },
  nl: {
    first: split(`Daan, Sem, Lucas, Finn, Levi, Emma, Julia, Tess, Sophie, Fenna, Anouk, Sanne, Joris, Bram, Thijs, Noor, Ruben`),
    last: split(`de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, Meijer, de Boer,
      Mulder, Bos, Vos, Peters, Hendriks, Kuipers`),
  },
  es: {
    first: split(`Hugo, Martín, Lucas, Mateo, Pablo, Alejandro, Lucía, Sofía, Martina, María, Paula, Julia, Carmen,
      Javier, Nuria, Pilar, Iker, Ainhoa`),
    last: split(`García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, Martín, Jiménez, Ruiz,
      Hernández, Díaz, Moreno, Álvarez, Navarro, Iglesias`),
  },
  it: {
    first: split(`Leonardo, Francesco, Alessandro, Lorenzo, Mattia, Sofia, Giulia, Aurora, Alice, Ginevra, Chiara,
      Marco, Giuseppe, Francesca, Elena, Niccolò`),
    last: split(`Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, Conti,
      De Luca, Costa, Fontana`),
  },
  se: {
    first: split(`William, Lucas, Liam, Elias, Hugo, Oscar, Alice, Maja, Elsa, Astrid, Wilma, Freja, Ingrid, Lars, Karin, Sven`),
    last: split(`Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, Persson, Svensson, Gustafsson,
      Lindberg, Lindström, Berg, Åberg`),
  },
  pl: {
    first: split(`Jakub, Antoni, Jan, Szymon, Zuzanna, Julia, Zofia, Hanna, Maja, Agnieszka, Katarzyna, Piotr, Tomasz, Marta, Łukasz`),
    last: split(`Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowski, Zieliński, Szymański, Woźniak, Dąbrowski`),
  },
  au: {
    first: split(`Oliver, Noah, Jack, William, Charlotte, Olivia, Isla, Mia, Matilda, Ruby, Lachlan, Cooper, Harper,
      Zara, Kai, Jarrah, Talia, Minh, Mei, Aarav, Bree, Hamish`),
    last: split(`Smith, Jones, Williams, Brown, Wilson, Taylor, Johnson, White, Martin, Anderson, Thompson, Nguyen,
      Ryan, Kelly, Chen, Walker, Harris, Lee, O'Connor, Papadopoulos, Rossi, Singh`),
  },
  nz: {
    first: split(`Aroha, Tama, Wiremu, Mere, Nikau, Ana, Oliver, Isla, Charlotte, Jack, Ruby, Finn, Manaia, Hemi`),
    last: split(`Ngata, Parata, Walker, Wilson, Smith, Williams, Tipene, Thompson, Kereama, Chen, Patel, Harris`),
  },
  jp: {
    first: split(`Haruto, Yuto, Sota, Riku, Yui, Hina, Sakura, Aoi, Mei, Ren, Takumi, Yuki, Akiko, Kenta, Haruka, Daiki`),
    last: split(`Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, Kato, Yoshida, Yamada, Inoue`),
  },
  in: {
    first: split(`Aarav, Vivaan, Aditya, Arjun, Reyansh, Ananya, Diya, Isha, Saanvi, Priya, Kavya, Rahul, Sneha, Deepak,
      Lakshmi, Ravi, Meera, Nikhil`),
    last: split(`Sharma, Verma, Gupta, Patel, Singh, Kumar, Reddy, Iyer, Nair, Menon, Rao, Joshi, Das, Bose, Chatterjee, Pillai`),
  },
  br: {
    first: split(`Miguel, Arthur, Davi, Gabriel, Heitor, Helena, Alice, Laura, Manuela, Valentina, João, Ana, Beatriz,
      Lucas, Rafael, Thiago, Larissa`),
    last: split(`Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, Gomes, Costa, Ribeiro, Carvalho, Araújo`),
  },
  mx: {
    first: split(`Santiago, Mateo, Sebastián, Leonardo, Emiliano, Sofía, Valentina, Regina, Camila, Ximena, Renata,
      Diego, Fernanda, Alejandro, Itzel, Citlali`),
    last: split(`Hernández, García, Martínez, López, González, Pérez, Rodríguez, Sánchez, Ramírez, Cruz, Flores, Gómez,
      Morales, Xochitl, Villanueva`),
  },
  sg: {
    first: split(`Wei Ling, Jun Jie, Hui Min, Zhi Hao, Siti, Nur, Muhammad, Arun, Kavitha, Ethan, Chloe, Darren, Aisyah`),
    last: split(`Tan, Lim, Lee, Ng, Ong, Wong, Goh, Chua, Koh, Teo, Rahman, Kumar, Ismail`),
  },
  za: {
    first: split(`Thabo, Sipho, Lerato, Naledi, Ayanda, Pieter, Johan, Annelie, Zanele, Kagiso, Liam, Emma, Thandiwe`),
    last: split(`Nkosi, Dlamini, Ndlovu, Khumalo, Mokoena, Botha, van der Merwe, Naidoo, Pillay, Smith, Jacobs, Mahlangu`),
  },
};

// Customers by country: zones [IANA name, standard UTC offset in hours (DST ignored), weight], locales [tag, weight].
export const REGIONS = [
  { country: "US", weight: 52, names: NAMES.us, locales: [["en-US", 92], ["es-US", 8]], zones: [
    ["America/New_York", -5, 36], ["America/Chicago", -6, 22], ["America/Denver", -7, 8], ["America/Phoenix", -7, 2],
    ["America/Los_Angeles", -8, 24], ["America/Anchorage", -9, 1], ["Pacific/Honolulu", -10, 1]] },
  { country: "CA", weight: 6, names: NAMES.ca, locales: [["en-CA", 75], ["fr-CA", 25]], zones: [
    ["America/Toronto", -5, 45], ["America/Vancouver", -8, 25], ["America/Halifax", -4, 10], ["America/Edmonton", -7, 20]] },
  { country: "GB", weight: 10, names: NAMES.uk, locales: [["en-GB", 1]], zones: [["Europe/London", 0, 1]] },
  { country: "IE", weight: 2, names: NAMES.ie, locales: [["en-IE", 1]], zones: [["Europe/Dublin", 0, 1]] },
  { country: "DE", weight: 6, names: NAMES.de, locales: [["de-DE", 85], ["en-GB", 15]], zones: [["Europe/Berlin", 1, 1]] },
  { country: "FR", weight: 4, names: NAMES.fr, locales: [["fr-FR", 1]], zones: [["Europe/Paris", 1, 1]] },
  { country: "NL", weight: 3, names: NAMES.nl, locales: [["nl-NL", 70], ["en-GB", 30]], zones: [["Europe/Amsterdam", 1, 1]] },
  { country: "ES", weight: 2, names: NAMES.es, locales: [["es-ES", 1]], zones: [["Europe/Madrid", 1, 1]] },
  { country: "IT", weight: 2, names: NAMES.it, locales: [["it-IT", 1]], zones: [["Europe/Rome", 1, 1]] },
  { country: "SE", weight: 2, names: NAMES.se, locales: [["sv-SE", 70], ["en-GB", 30]], zones: [["Europe/Stockholm", 1, 1]] },
  { country: "PL", weight: 1, names: NAMES.pl, locales: [["pl-PL", 1]], zones: [["Europe/Warsaw", 1, 1]] },
  { country: "AU", weight: 4, names: NAMES.au, locales: [["en-AU", 1]], zones: [
    ["Australia/Sydney", 10, 45], ["Australia/Melbourne", 10, 35], ["Australia/Brisbane", 10, 12], ["Australia/Perth", 8, 8]] },
  { country: "NZ", weight: 1, names: NAMES.nz, locales: [["en-NZ", 1]], zones: [["Pacific/Auckland", 12, 1]] },
  { country: "JP", weight: 1.5, names: NAMES.jp, locales: [["ja-JP", 80], ["en-US", 20]], zones: [["Asia/Tokyo", 9, 1]] },
  { country: "IN", weight: 1.5, names: NAMES.in, locales: [["en-IN", 80], ["hi-IN", 20]], zones: [["Asia/Kolkata", 5.5, 1]] },
  { country: "BR", weight: 1, names: NAMES.br, locales: [["pt-BR", 1]], zones: [["America/Sao_Paulo", -3, 1]] },
  { country: "MX", weight: 1, names: NAMES.mx, locales: [["es-MX", 1]], zones: [["America/Mexico_City", -6, 1]] },
  { country: "SG", weight: 0.5, names: NAMES.sg, locales: [["en-SG", 1]], zones: [["Asia/Singapore", 8, 1]] },
  { country: "ZA", weight: 0.5, names: NAMES.za, locales: [["en-ZA", 1]], zones: [["Africa/Johannesburg", 2, 1]] },
];

/** Relative traffic by local hour of day: quiet nights, a lunch bump, busy evenings. */
export const HOUR_WEIGHTS = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.2, 3, 3.4, 3.5, 3.6, 4.2, 4, 3.5, 3.3, 3.4, 3.8, 4.4, 5.2, 5.8, 5.4, 3.8, 2];

export const COUPONS = [["WELCOME10", 0.1, 45], ["SLOWHOME15", 0.15, 25], ["FREESHIP", 0, 20], ["THANKYOU20", 0.2, 10]];
